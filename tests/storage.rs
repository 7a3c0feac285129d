//! Storage tests: every statement against a fresh SQLite file and a fresh PostgreSQL database.

mod common;

use common::TestDb;
use std::time::Duration;
use stockroom::domain::{Email, Money, Role};
use stockroom::server::auth::{hash_password, SessionPolicy};
use stockroom::server::storage::products::{self, NewProduct};
use stockroom::server::storage::users::{self, NewAccount};
use stockroom::server::storage::{sessions, StorageError};

fn product(name: &str) -> NewProduct<'_> {
    NewProduct {
        name,
        sku: None,
        unit: "pcs",
        loose: false,
        selling_price: Money::from_minor(4_500),
        lower_limit: Some(5),
        upper_limit: None,
    }
}

async fn add_user(t: &TestDb, email: &str, role: Role) -> i64 {
    let email = Email::parse(email).unwrap();
    let password = stockroom::domain::Password::parse("a-long-enough-password").unwrap();
    let hash = hash_password(&password).await.unwrap();
    let account = NewAccount {
        email: &email,
        first_name: "Asha",
        last_name: "Rao",
        role,
        password_hash: &hash,
    };
    users::insert(&t.db, &account, 1_700_000_000).await.unwrap()
}

fn policy() -> SessionPolicy {
    SessionPolicy {
        idle: Duration::from_secs(3_600),
        max_age: Duration::from_secs(86_400),
        secure_cookie: false,
        throttle: Default::default(),
    }
}

on_both_backends! {
    async fn migrations_apply_once_and_again_without_error(t: TestDb) {
        t.db.migrate().await.expect("a second run finds nothing to do");
        t.db.ping().await.unwrap();
    }

    async fn an_email_is_taken_whatever_its_case(t: TestDb) {
        add_user(&t, "asha@shop.in", Role::Manager).await;
        let email = Email::parse("ASHA@Shop.in").unwrap();
        let account = NewAccount { email: &email, first_name: "A", last_name: "R", role: Role::Staff, password_hash: "x" };
        let err = users::insert(&t.db, &account, 0).await.unwrap_err();
        assert!(matches!(err, StorageError::Conflict { .. }), "{err:?}");
        assert_eq!(users::count(&t.db).await.unwrap(), 1);
    }

    async fn a_user_is_found_by_email_with_role_and_hash(t: TestDb) {
        let id = add_user(&t, "ravi@shop.in", Role::Staff).await;
        let found = users::find_by_email(&t.db, &Email::parse("Ravi@Shop.in").unwrap()).await.unwrap().unwrap();
        assert_eq!(found.user.id, id);
        assert_eq!(found.user.role, Role::Staff);
        assert!(found.active);
        assert!(found.password_hash.starts_with("$argon2id$"));
        assert!(users::find_by_email(&t.db, &Email::parse("nobody@shop.in").unwrap()).await.unwrap().is_none());
    }

    async fn sign_in_opens_a_session_that_sign_out_ends(t: TestDb) {
        add_user(&t, "asha@shop.in", Role::Manager).await;
        let policy = policy();
        let (user, cookie) = policy.sign_in(&t.db, "asha@shop.in", "a-long-enough-password", "203.0.113.1").await.unwrap();
        let cookie = cookie.to_str().unwrap().to_owned();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        let token = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
        let resolved = policy.resolve(&t.db, &token).await.unwrap().expect("session is live");
        assert_eq!(resolved, user);
        sessions::delete(&t.db, &stockroom::server::auth::token_hash(&token)).await.unwrap();
        assert!(policy.resolve(&t.db, &token).await.unwrap().is_none());
    }

    async fn wrong_passwords_and_unknown_emails_fail_alike(t: TestDb) {
        add_user(&t, "asha@shop.in", Role::Manager).await;
        let policy = policy();
        for (email, password) in [("asha@shop.in", "wrong-password"), ("ghost@shop.in", "a-long-enough-password"), ("not an email", "x")] {
            let err = policy.sign_in(&t.db, email, password, "203.0.113.1").await.unwrap_err();
            assert_eq!(err.to_string(), "Invalid email or password");
        }
    }

    async fn expired_and_idle_sessions_do_not_sign_anyone_in(t: TestDb) {
        let id = add_user(&t, "asha@shop.in", Role::Manager).await;
        let now = stockroom::server::auth::now();
        sessions::create(&t.db, "expired", id, now - 100, now - 1).await.unwrap();
        sessions::create(&t.db, "idle", id, now - 7_200, now + 86_400).await.unwrap();
        assert!(sessions::find(&t.db, "expired", now, now - 3_600).await.unwrap().is_none());
        assert!(sessions::find(&t.db, "idle", now, now - 3_600).await.unwrap().is_none());
        assert_eq!(sessions::purge(&t.db, now, now - 3_600).await.unwrap(), 2);
    }

    async fn products_list_by_name_with_search_and_pages(t: TestDb) {
        for name in ["Basmati Rice", "Toor Dal", "rice flour", "Sugar 50%_off", "Tea"] {
            products::insert(&t.db, &product(name), 0).await.unwrap();
        }
        let all = products::list(&t.db, None, 1, 2).await.unwrap();
        assert_eq!(all.total, 5);
        assert_eq!(all.products.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Basmati Rice", "rice flour"]);
        let page3 = products::list(&t.db, None, 3, 2).await.unwrap();
        assert_eq!(page3.products.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Toor Dal"]);
        let rice = products::list(&t.db, Some("  RICE "), 1, 10).await.unwrap();
        assert_eq!(rice.total, 2);
        // LIKE metacharacters in the search box match literally.
        let literal = products::list(&t.db, Some("%_"), 1, 10).await.unwrap();
        assert_eq!(literal.products.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Sugar 50%_off"]);
        assert_eq!(products::list(&t.db, Some("%"), 1, 10).await.unwrap().total, 1);
        let first = &all.products[0];
        assert_eq!((first.selling_price, first.quantity, first.lower_limit), (Money::from_minor(4_500), 0, Some(5)));
    }

    async fn product_names_are_unique_ignoring_case_and_spacing(t: TestDb) {
        products::insert(&t.db, &product("Basmati Rice"), 0).await.unwrap();
        let err = products::insert(&t.db, &product("  basmati   RICE "), 0).await.unwrap_err();
        assert!(matches!(err, StorageError::Conflict { .. }), "{err:?}");
    }
}

#[tokio::test]
async fn a_failed_migration_reports_a_clear_error() {
    let t = common::sqlite().await;
    // Tamper with the recorded checksum: sqlx must refuse to continue rather than guess.
    sqlx::query("UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 1")
        .execute(&sqlx::SqlitePool::connect(&t.url).await.unwrap())
        .await
        .unwrap();
    let err = t.db.migrate().await.unwrap_err();
    assert!(err.to_string().contains("migration"), "{err}");
}
