//! The two migration folders (`migrations/sqlite`, `migrations/postgres`) describe one
//! schema: the same tables, columns (name, kind of type and its width, nullability) and indexes
//! (columns, uniqueness). Every statement of the store runs on both, so a column added
//! to one folder only would fail on the other database at the first query that names it.

use std::collections::BTreeSet;

use app_passwords_server::store::{self, Schema};
use sqlx::Row;

use crate::common::*;

/// A column: table, name, kind of type (`integer`: 64 bits, as SQLite's always are;
/// `integer32`: PostgreSQL's INTEGER, which ends in 2038 as a time; `text`), nullable.
type Column = (String, String, &'static str, bool);
/// An index: table, its columns in order, unique.
type Index = (String, String, bool);

fn kind(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") || t.contains("serial") {
        "integer"
    } else if t.contains("text") || t.contains("char") {
        "text"
    } else {
        "other"
    }
}

async fn sqlite_schema(url: &str) -> (BTreeSet<Column>, BTreeSet<Index>) {
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let (mut columns, mut indexes) = (BTreeSet::new(), BTreeSet::new());
    for table in tables {
        let rows = sqlx::query("SELECT name, type, \"notnull\", pk FROM pragma_table_info($1)")
            .bind(&table)
            .fetch_all(&pool)
            .await
            .unwrap();
        for row in rows {
            let (name, declared): (String, String) = (row.get(0), row.get(1));
            // SQLite lets a TEXT primary key hold NULL; the store never writes one.
            let not_null = row.get::<i64, _>(2) != 0 || row.get::<i64, _>(3) != 0;
            columns.insert((table.clone(), name, kind(&declared), !not_null));
        }
        let listed = sqlx::query("SELECT name, \"unique\" FROM pragma_index_list($1)")
            .bind(&table)
            .fetch_all(&pool)
            .await
            .unwrap();
        for row in listed {
            let (index, unique): (String, i64) = (row.get(0), row.get(1));
            let names: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            indexes.insert((table.clone(), names.join(","), unique != 0));
        }
        // An INTEGER PRIMARY KEY is the rowid itself, indexed without an index of its own.
        let rowid_key: Option<String> = sqlx::query_scalar(
            "SELECT name FROM pragma_table_info($1) WHERE pk = 1 AND upper(type) = 'INTEGER' \
             AND (SELECT count(*) FROM pragma_table_info($1) WHERE pk > 0) = 1",
        )
        .bind(&table)
        .fetch_optional(&pool)
        .await
        .unwrap();
        if let Some(key) = rowid_key {
            indexes.insert((table.clone(), key, true));
        }
    }
    (columns, indexes)
}

async fn postgres_schema(url: &str) -> (BTreeSet<Column>, BTreeSet<Index>) {
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let rows = sqlx::query(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
         FROM information_schema.columns WHERE table_schema = 'public' \
         AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let columns = rows
        .iter()
        .map(|r| {
            let (table, name, declared, nullable): (String, String, String, String) =
                (r.get(0), r.get(1), r.get(2), r.get(3));
            let kind = match declared.as_str() {
                "integer" | "smallint" => "integer32",
                declared => kind(declared),
            };
            (table, name, kind, nullable == "YES")
        })
        .collect();
    let rows = sqlx::query(
        "SELECT t.relname::text, \
           array_to_string(array(SELECT a.attname::text FROM unnest(ix.indkey) \
             WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a \
             ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord), ','), \
           CASE WHEN ix.indisunique THEN 1 ELSE 0 END \
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = 'public' AND t.relname <> '_sqlx_migrations'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let indexes = rows.iter().map(|r| (r.get(0), r.get(1), r.get::<i32, _>(2) != 0)).collect();
    (columns, indexes)
}

#[tokio::test]
#[ignore = "PostgreSQL only: make test's second pass (scripts/pg.sh) runs it"]
async fn the_sqlite_and_postgresql_migrations_make_the_same_tables_columns_and_indexes() {
    let _ = require_postgres();
    let dir = tempfile::tempdir().unwrap();
    let pg = database_url(dir.path()).await;
    let lite = format!("sqlite://{}?mode=rwc", dir.path().join("schema.db").display());
    for url in [&pg, &lite] {
        store::connect(url, 1, Schema::Migrate).await.unwrap();
    }
    let (lite_columns, lite_indexes) = sqlite_schema(&lite).await;
    let (pg_columns, pg_indexes) = postgres_schema(&pg).await;
    assert!(lite_columns.len() > 40, "the schema was read: {lite_columns:?}");
    let only =
        |a: &BTreeSet<Column>, b: &BTreeSet<Column>| a.difference(b).cloned().collect::<Vec<_>>();
    assert_eq!(
        (only(&lite_columns, &pg_columns), only(&pg_columns, &lite_columns)),
        (vec![], vec![]),
        "columns only in SQLite's migrations, only in PostgreSQL's"
    );
    let only =
        |a: &BTreeSet<Index>, b: &BTreeSet<Index>| a.difference(b).cloned().collect::<Vec<_>>();
    assert_eq!(
        (only(&lite_indexes, &pg_indexes), only(&pg_indexes, &lite_indexes)),
        (vec![], vec![]),
        "indexes only in SQLite's migrations, only in PostgreSQL's"
    );
}
