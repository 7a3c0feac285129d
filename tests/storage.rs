//! Storage tests: every statement against a fresh SQLite file and a fresh PostgreSQL database.

mod common;

use common::TestDb;
use std::time::Duration;
use stockroom::domain::product::ProductSort;
use stockroom::domain::product_form::ProductDraft;
use stockroom::domain::{Email, Money, Name, Role};
use stockroom::server::clock::Clock;
use stockroom::server::passwords::hash_password;
use stockroom::server::sessions::SessionPolicy;
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
        clock: Clock::system(),
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
        let signed_in = policy.sign_in(&t.db, "asha@shop.in", "a-long-enough-password", "203.0.113.1", None).await.unwrap();
        let (user, cookie) = (signed_in.user, signed_in.session_cookie);
        let cookie = cookie.to_str().unwrap().to_owned();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        let token = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
        let resolved = policy.resolve(&t.db, &token).await.unwrap().expect("session is live");
        assert_eq!(resolved, user);
        sessions::delete(&t.db, &stockroom::server::sessions::token_hash(&token)).await.unwrap();
        assert!(policy.resolve(&t.db, &token).await.unwrap().is_none());
    }

    async fn wrong_passwords_and_unknown_emails_fail_alike(t: TestDb) {
        add_user(&t, "asha@shop.in", Role::Manager).await;
        let policy = policy();
        for (email, password) in [("asha@shop.in", "wrong-password"), ("ghost@shop.in", "a-long-enough-password"), ("not an email", "x")] {
            let err = policy.sign_in(&t.db, email, password, "203.0.113.1", None).await.unwrap_err();
            assert_eq!(err.to_string(), "Invalid email or password");
        }
    }

    async fn expired_and_idle_sessions_do_not_sign_anyone_in(t: TestDb) {
        let id = add_user(&t, "asha@shop.in", Role::Manager).await;
        let now = Clock::system().now();
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
        let all = products::list(&t.db, None, ProductSort::Name, 1, 2).await.unwrap();
        assert_eq!(all.total, 5);
        assert_eq!(all.products.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Basmati Rice", "rice flour"]);
        let page3 = products::list(&t.db, None, ProductSort::Name, 3, 2).await.unwrap();
        assert_eq!(page3.products.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Toor Dal"]);
        // The count rides in the page's statement; a page past the end, with no row to carry
        // it, still says how many there are.
        assert_eq!((page3.total, page3.has_next), (5, false));
        let past = products::list(&t.db, None, ProductSort::Name, 9, 2).await.unwrap();
        assert_eq!((past.total, past.products.len()), (5, 0));
        let short = products::list(&t.db, Some("ri"), ProductSort::Name, 1, 1).await.unwrap();
        assert_eq!((short.total, short.has_next), (2, true));
        let rice = products::list(&t.db, Some("  RICE "), ProductSort::Name, 1, 10).await.unwrap();
        assert_eq!(rice.total, 2);
        // LIKE metacharacters in the search box match literally.
        let literal = products::list(&t.db, Some("%_"), ProductSort::Name, 1, 10).await.unwrap();
        assert_eq!(literal.products.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Sugar 50%_off"]);
        assert_eq!(products::list(&t.db, Some("%"), ProductSort::Name, 1, 10).await.unwrap().total, 1);
        let first = &all.products[0];
        assert_eq!((first.selling_price, first.quantity, first.lower_limit), (Money::from_minor(4_500), 0, Some(5)));
    }

    async fn search_finds_any_part_of_a_name_and_follows_renames_and_removals(t: TestDb) {
        let names = |page: stockroom::domain::ProductPage| page.products.into_iter().map(|p| p.name).collect::<Vec<_>>();
        let find = |q: &'static str| products::list(&t.db, Some(q), ProductSort::Name, 1, 10);
        let mut ids = Vec::new();
        for name in ["Basmati Rice", "Brown Rice 5kg", "Say \"Cheese\" Slices", "Haldi हल्दी", "Ricotta"] {
            ids.push(products::insert(&t.db, &product(name), 0).await.unwrap());
        }
        assert_eq!(names(find("rice").await.unwrap()), ["Basmati Rice", "Brown Rice 5kg"]);
        assert_eq!(names(find("RIC").await.unwrap()), ["Basmati Rice", "Brown Rice 5kg", "Ricotta"]);
        assert_eq!(names(find("ce 5").await.unwrap()), ["Brown Rice 5kg"]);
        assert_eq!(names(find("\"cheese\"").await.unwrap()), ["Say \"Cheese\" Slices"]);
        assert_eq!(names(find("हल्दी").await.unwrap()), ["Haldi हल्दी"]);
        assert!(names(find("rice brown").await.unwrap()).is_empty(), "a phrase, not words in any order");
        assert_eq!(names(find("ri").await.unwrap()), ["Basmati Rice", "Brown Rice 5kg", "Ricotta"]);
        // A rename is found by its new name only; a removed product is not found.
        let change = ProductDraft {
            name: Name::parse("Basmati Chawal").unwrap(),
            selling_price: Money::from_minor(100),
            lower_limit: None,
            upper_limit: None,
            loose: false,
            sku: None,
            unit: None,
            tax_rate_bp: None,
            tax_code: None,
        };
        products::update(&t.db, ids[0], &change, 1).await.unwrap();
        assert_eq!(names(find("rice").await.unwrap()), ["Brown Rice 5kg"]);
        assert_eq!(names(find("chawal").await.unwrap()), ["Basmati Chawal"]);
        products::remove(&t.db, ids[1], 2).await.unwrap();
        assert!(names(find("rice").await.unwrap()).is_empty());
        assert_eq!(names(find("ricot").await.unwrap()), ["Ricotta"]);
    }

    async fn products_sort_by_quantity_and_are_found_by_sku(t: TestDb) {
        let mut ids = Vec::new();
        for (name, sku) in [("Tea", Some("8901")), ("Atta", None), ("Sugar", Some("SUG-1"))] {
            let mut p = product(name);
            p.sku = sku;
            ids.push(products::insert(&t.db, &p, 0).await.unwrap());
        }
        for (id, quantity) in ids.iter().zip([7, 2, 7]) {
            sqlx::query("UPDATE products SET quantity = $1 WHERE id = $2").bind(quantity).bind(*id).execute(t.db.pool_for_tests()).await.unwrap();
        }
        let names = |page: stockroom::domain::ProductPage| page.products.into_iter().map(|p| p.name).collect::<Vec<_>>();
        assert_eq!(names(products::list(&t.db, None, ProductSort::Quantity, 1, 10).await.unwrap()), ["Atta", "Sugar", "Tea"]);
        assert_eq!(names(products::list(&t.db, None, ProductSort::QuantityDesc, 1, 10).await.unwrap()), ["Tea", "Sugar", "Atta"]);
        assert_eq!(names(products::list(&t.db, None, ProductSort::NameDesc, 1, 2).await.unwrap()), ["Tea", "Sugar"]);
        let by_sku = products::list(&t.db, Some(" SUG-1 "), ProductSort::Name, 1, 10).await.unwrap();
        assert_eq!((by_sku.total, names(by_sku)), (1, vec!["Sugar".to_owned()]));
    }

    async fn an_export_reads_every_order_in_chunks_as_the_list_shows_it(t: TestDb) {
        // Quantities with ties, so the quantity orders go on by name within a quantity.
        let stock = [("Tea", 7), ("Atta", 2), ("Sugar", 7), ("Rice", 0), ("Rice Flour", 7), ("Salt", 2), ("Besan", 9)];
        for (name, quantity) in stock {
            let id = products::insert(&t.db, &product(name), 0).await.unwrap();
            sqlx::query("UPDATE products SET quantity = $1 WHERE id = $2").bind(quantity).bind(id).execute(t.db.pool_for_tests()).await.unwrap();
        }
        let archived = products::insert(&t.db, &product("Old Soap"), 0).await.unwrap();
        sqlx::query("UPDATE products SET archived = 1 WHERE id = $1").bind(archived).execute(t.db.pool_for_tests()).await.unwrap();
        for sort in [ProductSort::Name, ProductSort::NameDesc, ProductSort::Quantity, ProductSort::QuantityDesc] {
            for query in [None, Some("ri"), Some("ric")] {
                let shown: Vec<String> = products::list(&t.db, query, sort, 1, 100).await.unwrap()
                    .products.into_iter().map(|p| p.name).collect();
                let mut exported = Vec::new();
                let mut after = None;
                let mut reads = 0;
                loop {
                    let (chunk, next) = products::list_after(&t.db, query, sort, after.as_ref(), 2).await.unwrap();
                    reads += 1;
                    exported.extend(chunk.into_iter().map(|p| p.name));
                    match next {
                        Some(next) => after = Some(next),
                        None => break,
                    }
                }
                assert_eq!(exported, shown, "{sort:?} {query:?}");
                assert_eq!(reads, shown.len().div_ceil(2).max(1), "{sort:?} {query:?}: no empty read at the end");
            }
        }
    }

    async fn a_product_update_sets_or_keeps_its_sku_and_unit(t: TestDb) {
        let id = products::insert(&t.db, &product("Toor Dal"), 0).await.unwrap();
        let other = products::insert(&t.db, &product("Moong Dal"), 0).await.unwrap();
        let mut change = ProductDraft {
            name: Name::parse("Toor Dal").unwrap(),
            selling_price: Money::from_minor(16),
            lower_limit: None,
            upper_limit: None,
            loose: true,
            sku: Some(Some("DAL-1".into())),
            unit: Some("g".into()),
            tax_rate_bp: None,
            tax_code: None,
        };
        products::update(&t.db, id, &change, 1).await.unwrap();
        let got = products::get(&t.db, id).await.unwrap().unwrap();
        assert_eq!((got.sku.as_deref(), got.unit.as_str(), got.loose), (Some("DAL-1"), "g", true));
        // Absent fields keep what is there.
        change.sku = None;
        change.unit = None;
        products::update(&t.db, id, &change, 2).await.unwrap();
        let got = products::get(&t.db, id).await.unwrap().unwrap();
        assert_eq!((got.sku.as_deref(), got.unit.as_str()), (Some("DAL-1"), "g"));
        // A SKU is unique.
        change.name = Name::parse("Moong Dal").unwrap();
        change.sku = Some(Some("DAL-1".into()));
        let err = products::update(&t.db, other, &change, 3).await.unwrap_err();
        assert!(matches!(&err, StorageError::Conflict { constraint } if constraint.contains("sku")), "{err:?}");
        // Clearing it.
        change.name = Name::parse("Toor Dal").unwrap();
        change.sku = Some(None);
        products::update(&t.db, id, &change, 4).await.unwrap();
        assert_eq!(products::get(&t.db, id).await.unwrap().unwrap().sku, None);
    }

    async fn product_names_are_unique_ignoring_case_and_spacing(t: TestDb) {
        products::insert(&t.db, &product("Basmati Rice"), 0).await.unwrap();
        let err = products::insert(&t.db, &product("  basmati   RICE "), 0).await.unwrap_err();
        assert!(matches!(err, StorageError::Conflict { .. }), "{err:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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
