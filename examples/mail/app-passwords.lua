-- Dovecot passdb: every password a mail client signs in with is checked by the
-- app-passwords endpoint (POST /v1/legacy/verify), which knows the account's app
-- passwords, their scopes, expiry and revocation, and throttles guessing per client.
--
-- Dovecot 2.3 (Debian 12: dovecot-auth-lua, lua-cjson). Configured from Dovecot's
-- environment (import_environment in dovecot.conf):
--   APP_PASSWORDS_URL          the endpoint, such as https://id.contoso.example
--   APP_PASSWORDS_SECRET_FILE  a file whose first line is this mail server's shared
--                              secret (one of the endpoint's APP_MAIL_SERVER_SECRET_FILE)
--
-- Answers Dovecot gets:
--   valid                      OK, under the account's username as the endpoint has it
--   not valid                  PASSWORD_MISMATCH ("Authentication failed")
--   anything else (the endpoint down, slow, refusing this mail server, throttling
--   this client)               INTERNAL_FAILURE ("Temporary authentication failure"):
--                              a mail client then retries later instead of asking its
--                              user for a new password.

local json = require "cjson"

-- Dovecot's service names, and the protocol each is to the endpoint: an app password
-- must have the scope of its protocol (mail: IMAP, POP and SMTP submission).
local PROTOCOLS = { imap = "imap", pop3 = "pop", submission = "smtp", smtp = "smtp" }

local verify_url, secret, http

local function first_line(path)
  local file, err = io.open(path, "r")
  if file == nil then
    return nil, err
  end
  for line in file:lines() do
    local text = line:match("^%s*(.-)%s*$")
    if text ~= "" and text:sub(1, 1) ~= "#" then
      file:close()
      return text
    end
  end
  file:close()
  return nil, path .. " holds no secret"
end

function script_init()
  local url = os.getenv("APP_PASSWORDS_URL")
  local secret_file = os.getenv("APP_PASSWORDS_SECRET_FILE")
  if url == nil or secret_file == nil then
    dovecot.i_error("app-passwords: set APP_PASSWORDS_URL and APP_PASSWORDS_SECRET_FILE in import_environment")
    return -1
  end
  local err
  secret, err = first_line(secret_file)
  if secret == nil then
    dovecot.i_error("app-passwords: cannot read the shared secret: " .. tostring(err))
    return -1
  end
  verify_url = url:gsub("/+$", "") .. "/v1/legacy/verify"
  http = dovecot.http.client({
    user_agent = "dovecot-app-passwords",
    connect_timeout_msecs = 2000,
    request_timeout_msecs = 5000,
    -- Asked again only by the mail client: a retried guess would be counted twice.
    max_attempts = 1,
  })
  return 0
end

-- Returns Dovecot's result and, for a failure, the reason it logs.
function auth_password_verify(req, password)
  local protocol = PROTOCOLS[req.service]
  if protocol == nil then
    return dovecot.auth.PASSDB_RESULT_PASSWORD_MISMATCH,
      "app-passwords: no app password scope covers the " .. req.service .. " service"
  end
  -- The client's address, which the endpoint's limits and "last used from" count. Not
  -- knowing it would count every client as this server, so one guesser would block all.
  if req.rip == nil or req.rip == "" then
    return dovecot.auth.PASSDB_RESULT_INTERNAL_FAILURE,
      "app-passwords: no client address for this sign-in"
  end

  local request = http:request({ url = verify_url, method = "POST" })
  request:add_header("Authorization", "Bearer " .. secret)
  request:add_header("Content-Type", "application/json")
  request:set_payload(json.encode({
    username = req.user,
    password = password,
    protocol = protocol,
    client = req.rip,
  }))
  local response = request:submit()
  local status = response:status()

  local why
  if status == 200 then
    local ok, verdict = pcall(json.decode, response:payload())
    if ok and verdict.valid == true and type(verdict.username) == "string" then
      return dovecot.auth.PASSDB_RESULT_OK, { user = verdict.username }
    elseif ok and verdict.valid == false then
      return dovecot.auth.PASSDB_RESULT_PASSWORD_MISMATCH, ""
    end
    why = "the endpoint's answer cannot be read"
  elseif status == 429 then
    why = "too many failed sign-ins from this client; retry after "
      .. tostring(response:header("Retry-After")) .. " s"
  elseif status == 401 then
    why = "the endpoint refused this mail server's secret (APP_PASSWORDS_SECRET_FILE)"
  else
    -- Dovecot reports connection failures and timeouts as statuses 9000 and up.
    why = "the endpoint answered " .. status .. " " .. tostring(response:reason())
  end
  return dovecot.auth.PASSDB_RESULT_INTERNAL_FAILURE, "app-passwords: " .. why
end

-- Nothing to look up: this passdb only verifies plaintext passwords (PLAIN, LOGIN).
function auth_passdb_lookup(req)
  return dovecot.auth.PASSDB_RESULT_SCHEME_NOT_AVAILABLE, ""
end
