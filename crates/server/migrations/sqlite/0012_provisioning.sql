-- Provisioning over SCIM 2.0 (http/routes/scim.rs, store/scim.rs).
--
-- The identity system's own id for a person (SCIM externalId), unique when set; and when
-- an identity system first made or took charge of the account (NULL: never), which the
-- helpdesk is shown ("managed by provisioning").
ALTER TABLE accounts ADD COLUMN external_id TEXT;
ALTER TABLE accounts ADD COLUMN provisioned_at INTEGER;
CREATE UNIQUE INDEX accounts_external_id ON accounts(external_id);

-- The identity system's groups (SCIM Groups). Membership of the groups the configuration
-- names (APP_SCIM_MFA_GROUP, APP_SCIM_APP_PASSWORDS_OFF_GROUP) sets the member's policy.
CREATE TABLE scim_groups (
    id            TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL UNIQUE,
    external_id   TEXT UNIQUE,
    created_at    INTEGER NOT NULL
);
CREATE TABLE scim_group_members (
    group_id    TEXT NOT NULL REFERENCES scim_groups(id) ON DELETE CASCADE,
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, account_id)
);
CREATE INDEX scim_group_members_account ON scim_group_members(account_id);
