//! Parties on both databases: bills name their party case-insensitively and the party is
//! upserted with each bill, old bills are linked (twice: the same result), a rename onto
//! another party's name is refused, and the sums add up with returns. Over HTTP without
//! JavaScript: `/parties` lists and searches, `/parties/{id}` shows and (managers) edits.

mod common;

use axum::http::{header, StatusCode};
use common::app::{App, MANAGER, STAFF};
use common::{bill, encode, give_back, line, scalar};
use sqlx::Row;
use stockroom::domain::bill::BillKind;
use stockroom::domain::bill_form::Party;
use stockroom::domain::ledger::Seek;
use stockroom::domain::party::PartyForm;
use stockroom::domain::{Money, Name};
use stockroom::server::storage::parties;
use stockroom::server::storage::{Db, StorageError};

/// 2026-01-15 10:00 UTC.
const NOW: i64 = 1_768_471_200;

fn named(name: &str, phone: Option<&str>, address: Option<&str>) -> Party {
    Party {
        name: Name::parse(name).unwrap(),
        phone: phone.map(str::to_owned),
        address: address.map(str::to_owned),
    }
}

/// A shop: Ravi Traders supplies twice (the second bill typed in lower case, with a new phone)
/// and buys once; Asha is a customer only. Returns the bills' ids in order.
async fn seed(db: &Db) -> Vec<i64> {
    common::clerk(db, "clerk@shop.test").await;
    vec![
        bill(
            db,
            BillKind::Purchase,
            named("Ravi Traders", Some("98450 11111"), Some("MG Road")),
            "p1",
            NOW - 300,
            vec![line("Toor Dal", 10, 8_000, None)],
        )
        .await,
        bill(
            db,
            BillKind::Purchase,
            named("  ravi   TRADERS ", Some("98450 22222"), None),
            "p2",
            NOW - 200,
            vec![line("Toor Dal", 5, 9_000, None)],
        )
        .await,
        bill(
            db,
            BillKind::Sale,
            named("Asha", None, Some("Lake View")),
            "s1",
            NOW - 100,
            vec![line("Toor Dal", 3, 10_000, None)],
        )
        .await,
        bill(
            db,
            BillKind::Sale,
            named("Ravi Traders", None, None),
            "s2",
            NOW,
            vec![line("Toor Dal", 2, 10_000, None)],
        )
        .await,
    ]
}

/// Every party as (name, key, phone, address, supplier, customer, created, updated), and every
/// bill as (id, its party's key).
async fn snapshot(db: &Db) -> (Vec<String>, Vec<(i64, Option<String>)>) {
    let parties = sqlx::query(
        "SELECT name, name_key, phone, address, is_supplier, is_customer, created_at, updated_at \
         FROM parties ORDER BY name_key",
    )
    .fetch_all(db.pool_for_tests())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        format!(
            "{}|{}|{:?}|{:?}|{}|{}|{}|{}",
            r.get::<String, _>(0),
            r.get::<String, _>(1),
            r.get::<Option<String>, _>(2),
            r.get::<Option<String>, _>(3),
            r.get::<i64, _>(4),
            r.get::<i64, _>(5),
            r.get::<i64, _>(6),
            r.get::<i64, _>(7),
        )
    })
    .collect();
    let bills = sqlx::query(
        "SELECT b.id, p.name_key FROM bills b LEFT JOIN parties p ON p.id = b.party_id ORDER BY b.id",
    )
    .fetch_all(db.pool_for_tests())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get::<i64, _>(0), r.get::<Option<String>, _>(1)))
    .collect();
    (parties, bills)
}

async fn party_id(db: &Db, key: &str) -> i64 {
    sqlx::query("SELECT id FROM parties WHERE name_key = $1")
        .bind(key)
        .fetch_one(db.pool_for_tests())
        .await
        .unwrap()
        .get(0)
}

/// Turns the shop back into one recorded before parties existed: bills without a party, no
/// parties.
async fn forget_parties(db: &Db) {
    for sql in ["UPDATE bills SET party_id = NULL", "DELETE FROM parties"] {
        sqlx::query(sql).execute(db.pool_for_tests()).await.unwrap();
    }
}

on_both_backends! {
    async fn a_bill_names_its_party_whatever_the_case_and_spacing_and_keeps_it_up_to_date(t: TestDb) {
        let bills = seed(&t.db).await;
        let (parties, linked) = snapshot(&t.db).await;
        assert_eq!(parties, [
            "Asha|asha|None|Some(\"Lake View\")|0|1|1768471100|1768471100",
            // The second purchase's phone replaced the first's; a bill without one kept it.
            "Ravi Traders|ravi traders|Some(\"98450 22222\")|Some(\"MG Road\")|1|1|1768470900|1768471200",
        ]);
        let keys: Vec<Option<&str>> = linked.iter().map(|(_, k)| k.as_deref()).collect();
        assert_eq!(keys, [Some("ravi traders"), Some("ravi traders"), Some("asha"), Some("ravi traders")]);
        // The bill keeps the name as it was typed.
        let typed: String = sqlx::query_scalar("SELECT party_name FROM bills WHERE id = $1")
            .bind(bills[1])
            .fetch_one(t.db.pool_for_tests())
            .await
            .unwrap();
        assert_eq!(typed, "ravi TRADERS");
        let ravi = party_id(&t.db, "ravi traders").await;
        let shown = stockroom::server::storage::history::bill(&t.db, bills[1]).await.unwrap().unwrap();
        assert_eq!(shown.party_id, Some(ravi), "a bill knows its party");
        // A return belongs to its original's party.
        let back = give_back(&t.db, bills[2], 1, "r1", NOW + 10).await;
        let asha = party_id(&t.db, "asha").await;
        assert_eq!(scalar(&t.db, &format!("SELECT party_id FROM bills WHERE id = {back}")).await, asha);
    }

    async fn linking_old_bills_twice_gives_the_same_parties_and_links(t: TestDb) {
        seed(&t.db).await;
        let recorded = snapshot(&t.db).await;
        forget_parties(&t.db).await;
        assert_eq!(parties::link_all(&t.db).await.unwrap(), 4);
        let first = snapshot(&t.db).await;
        assert_eq!(parties::link_all(&t.db).await.unwrap(), 0, "nothing is left to link");
        let second = snapshot(&t.db).await;
        assert_eq!(first, second);
        assert_eq!(first, recorded, "linking old bills gives what recording them would have");
        // The migration path links too: start-up finds the unlinked bills and links them.
        forget_parties(&t.db).await;
        t.db.migrate().await.unwrap();
        assert_eq!(snapshot(&t.db).await, recorded);
        t.db.migrate().await.unwrap();
        assert_eq!(snapshot(&t.db).await, recorded);
    }

    async fn linking_keeps_what_a_party_already_has_and_fills_what_it_lacks(t: TestDb) {
        seed(&t.db).await;
        // Asha's bill is old and unlinked; she has a newer phone since.
        sqlx::query("UPDATE bills SET party_id = NULL WHERE party_name = 'Asha'")
            .execute(t.db.pool_for_tests()).await.unwrap();
        sqlx::query("UPDATE parties SET phone = '90000 00000', address = NULL WHERE name_key = 'asha'")
            .execute(t.db.pool_for_tests()).await.unwrap();
        assert_eq!(parties::link_all(&t.db).await.unwrap(), 1);
        let asha = parties::get(&t.db, party_id(&t.db, "asha").await).await.unwrap().unwrap();
        assert_eq!((asha.phone.as_deref(), asha.address.as_deref()), (Some("90000 00000"), Some("Lake View")));
        assert_eq!(asha.bills, 1);
    }

    async fn a_rename_onto_another_partys_name_is_refused_and_changes_nothing(t: TestDb) {
        seed(&t.db).await;
        let asha = party_id(&t.db, "asha").await;
        let before = snapshot(&t.db).await;
        let clash = PartyForm { name: " RAVI traders".into(), phone: "1".into(), address: String::new() }
            .parse()
            .unwrap();
        let refused = parties::update(&t.db, asha, &clash, NOW + 60).await;
        assert!(matches!(refused, Err(StorageError::Conflict { .. })), "{refused:?}");
        assert_eq!(snapshot(&t.db).await, before);
        let fine = PartyForm { name: "Asha Stores".into(), phone: "98450 33333".into(), address: String::new() }
            .parse()
            .unwrap();
        parties::update(&t.db, asha, &fine, NOW + 60).await.unwrap();
        let renamed = parties::get(&t.db, asha).await.unwrap().unwrap();
        assert_eq!((renamed.name.as_str(), renamed.phone.as_deref(), renamed.address), ("Asha Stores", Some("98450 33333"), None));
        assert_eq!(renamed.bills, 1, "its bills stay its own");
        assert!(matches!(parties::update(&t.db, 999_999, &fine, NOW).await, Err(StorageError::NotFound)));
    }

    async fn a_partys_sums_are_its_bills_net_of_returns(t: TestDb) {
        let bills = seed(&t.db).await;
        // Ravi: bought 10 × 80 + 5 × 90 = 1,250.00; 2 sent back from the first at 80: 1,090.00.
        // Sold 2 × 100 = 200.00, 1 of them brought back: 100.00.
        give_back(&t.db, bills[0], 2, "r1", NOW + 10).await;
        give_back(&t.db, bills[3], 1, "r2", NOW + 20).await;
        let ravi = parties::get(&t.db, party_id(&t.db, "ravi traders").await).await.unwrap().unwrap();
        assert_eq!((ravi.bills, ravi.bought, ravi.sold), (5, Money::from_minor(109_000), Money::from_minor(10_000)));
        assert_eq!(ravi.last_bill_at, Some(NOW + 20));
        assert_eq!(ravi.kind(), "Supplier and customer");
        let asha = parties::get(&t.db, party_id(&t.db, "asha").await).await.unwrap().unwrap();
        assert_eq!((asha.bills, asha.bought, asha.sold), (1, Money::ZERO, Money::from_minor(30_000)));
        assert_eq!(asha.kind(), "Customer");
    }

    async fn parties_are_listed_by_name_searched_and_paged(t: TestDb) {
        seed(&t.db).await;
        bill(&t.db, BillKind::Sale, named("Bala", Some("98450 77777"), None), "s3", NOW + 5, vec![line("Toor Dal", 1, 100, None)]).await;
        let names = |page: &stockroom::domain::party::PartyPage| page.rows.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        let first = parties::list(&t.db, None, 1, 2).await.unwrap();
        assert_eq!((names(&first), first.has_next), (vec!["Asha".to_owned(), "Bala".to_owned()], true));
        let second = parties::list(&t.db, None, 2, 2).await.unwrap();
        assert_eq!((names(&second), second.has_next), (vec!["Ravi Traders".to_owned()], false));
        assert_eq!(names(&parties::list(&t.db, Some(" RAVI "), 1, 25).await.unwrap()), ["Ravi Traders"]);
        assert_eq!(names(&parties::list(&t.db, Some("77777"), 1, 25).await.unwrap()), ["Bala"], "by phone too");
        assert!(parties::list(&t.db, Some("100%"), 1, 25).await.unwrap().rows.is_empty());
        // Suggestions: suppliers first on a purchase, customers first on a sale.
        let offered = |found: Vec<stockroom::domain::party::PartySuggestion>| found.into_iter().map(|s| s.name).collect::<Vec<_>>();
        assert_eq!(offered(parties::suggest(&t.db, "A", BillKind::Purchase, 8).await.unwrap()), ["Ravi Traders", "Asha", "Bala"]);
        assert_eq!(offered(parties::suggest(&t.db, "a", BillKind::Sale, 8).await.unwrap()), ["Asha", "Bala", "Ravi Traders"]);
        let ravi = parties::suggest(&t.db, "ravi", BillKind::Purchase, 8).await.unwrap();
        assert_eq!(ravi[0].phone.as_deref(), Some("98450 22222"));
    }

    async fn a_partys_bills_are_paged_newest_first_by_cursor(t: TestDb) {
        let bills = seed(&t.db).await;
        let ravi = party_id(&t.db, "ravi traders").await;
        let first = parties::bills(&t.db, ravi, Seek::Newest, 2).await.unwrap();
        let ids = |rows: &[stockroom::domain::ledger::BillSummary]| rows.iter().map(|b| b.id).collect::<Vec<_>>();
        assert_eq!(ids(&first.rows), [bills[3], bills[1]]);
        let older = parties::bills(&t.db, ravi, Seek::Before(first.older.unwrap()), 2).await.unwrap();
        assert_eq!(ids(&older.rows), [bills[0]]);
        assert!(older.older.is_none());
        let back = parties::bills(&t.db, ravi, Seek::After(older.newer.unwrap()), 2).await.unwrap();
        assert_eq!(ids(&back.rows), [bills[3], bills[1]]);
    }
}

/// Records a purchase through the plain form, as a browser without JavaScript does.
async fn buy(app: &App, cookie: &str, supplier: &str, phone: &str) -> String {
    let html = app.get("/buy", Some(cookie)).await.body;
    let key = common::key_after(&html, "<form");
    let body = encode(&[
        ("party_name", supplier),
        ("party_phone", phone),
        ("party_address", ""),
        ("lines[0][product]", "Toor Dal"),
        ("lines[0][quantity]", "2"),
        ("lines[0][amount]", "80.00"),
        ("key", &key),
    ]);
    let reply = app
        .post_form("/api/purchases", &body, "/buy", Some(cookie))
        .await;
    assert!(reply.status.is_redirection(), "{}", reply.body);
    reply.header(header::LOCATION).to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_the_parties_pages_list_search_and_show_a_party() {
    let app = common::app::start().await;
    let staff = app.sign_in(STAFF).await;
    let bill_page = buy(&app, &staff, "Ravi Traders", "98450 11111").await;
    buy(&app, &staff, "Asha Wholesale", "").await;
    let ravi = party_id(app.db(), "ravi traders").await;
    let list = app.get("/parties", Some(&staff)).await;
    assert_eq!(list.status, StatusCode::OK);
    for needle in [
        r#"<label for="party-search">Search parties</label>"#,
        ">Name<",
        ">Kind<",
        ">Bills<",
        ">Bought from<",
        ">Sold to<",
        ">Last bill<",
        &format!(r#"<a href="/parties/{ravi}">Ravi Traders</a>"#),
        ">Supplier<",
        "₹160.00",
        r#"<a href="/parties""#,
    ] {
        assert!(list.body.contains(needle), "/parties lacks {needle}");
    }
    let found = app.get("/parties?q=RAVI", Some(&staff)).await.body;
    assert!(found.contains("Ravi Traders") && !found.contains("Asha Wholesale"));
    let none = app.get("/parties?q=nobody", Some(&staff)).await.body;
    assert!(none.contains("No parties match your search."));
    // The bill links to its party; the party's page shows the bill, and no form to staff.
    let bill = app.get(&bill_page, Some(&staff)).await.body;
    assert!(
        bill.contains(&format!(r#"<a href="/parties/{ravi}">Ravi Traders</a>"#)),
        "{bill}"
    );
    let page = app.get(&format!("/parties/{ravi}"), Some(&staff)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("98450 11111"));
    assert!(
        page.body.contains(&format!(r#"href="{bill_page}""#)),
        "its bills are listed"
    );
    assert!(
        !page.body.contains(">Save</button>"),
        "staff do not edit parties"
    );
    assert_eq!(
        app.get("/parties/999999", Some(&staff)).await.status,
        StatusCode::NOT_FOUND
    );
    // Suggestions for the bill form, as the hydrated form asks for them.
    let offered = app
        .get("/api/parties/suggest?q=ravi&kind=purchase", Some(&staff))
        .await;
    assert_eq!(offered.status, StatusCode::OK);
    assert!(offered.body.contains("98450 11111"), "{}", offered.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_a_manager_edits_a_party_and_a_clashing_name_is_refused() {
    let app = common::app::start().await;
    let manager = app.sign_in(MANAGER).await;
    buy(&app, &manager, "Ravi Traders", "98450 11111").await;
    buy(&app, &manager, "Asha Wholesale", "").await;
    let asha = party_id(app.db(), "asha wholesale").await;
    let path = format!("/parties/{asha}");
    let page = app.get(&path, Some(&manager)).await.body;
    for needle in [
        ">Name</label>",
        ">Phone</label>",
        ">Address</label>",
        ">Save</button>",
    ] {
        assert!(page.contains(needle), "the party page lacks {needle}");
    }
    let saved = app
        .post_form(
            "/api/parties/update",
            &encode(&[
                ("id", &asha.to_string()),
                ("name", "Asha Stores"),
                ("phone", "98450 33333"),
                ("address", "Lake View"),
            ]),
            &path,
            Some(&manager),
        )
        .await;
    assert_eq!(saved.header(header::LOCATION), format!("{path}?saved=1"));
    let shown = app
        .get(&format!("{path}?saved=1"), Some(&manager))
        .await
        .body;
    assert!(
        shown.contains("Saved.") && shown.contains("98450 33333") && shown.contains("Asha Stores")
    );
    let clash = app
        .post_form(
            "/api/parties/update",
            &encode(&[
                ("id", &asha.to_string()),
                ("name", "ravi traders"),
                ("phone", "1"),
                ("address", ""),
            ]),
            &path,
            Some(&manager),
        )
        .await;
    assert!(clash.status.is_redirection(), "{}", clash.status);
    let back = app
        .get(clash.header(header::LOCATION), Some(&manager))
        .await
        .body;
    assert!(
        back.contains("Another party already has this name"),
        "{back}"
    );
    assert!(
        back.contains(r#"value="ravi traders""#),
        "the field keeps what was typed"
    );
    let kept: (String, Option<String>) =
        sqlx::query_as("SELECT name, phone FROM parties WHERE id = $1")
            .bind(asha)
            .fetch_one(app.db().pool_for_tests())
            .await
            .unwrap();
    assert_eq!(
        kept,
        ("Asha Stores".to_owned(), Some("98450 33333".to_owned()))
    );
    // Staff may not change a party, however they ask: a plain form goes back to the page with
    // the refusal, a script gets a 403, and nothing changes.
    let staff = app.sign_in(STAFF).await;
    let mine = encode(&[("id", &asha.to_string()), ("name", "Mine")]);
    let refused = app
        .post_form("/api/parties/update", &mine, &path, Some(&staff))
        .await;
    assert!(
        refused
            .header(header::LOCATION)
            .starts_with(&format!("{path}?")),
        "{}",
        refused.status
    );
    let refused = app.call("/api/parties/update", &mine, Some(&staff)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let name: String = sqlx::query_scalar("SELECT name FROM parties WHERE id = $1")
        .bind(asha)
        .fetch_one(app.db().pool_for_tests())
        .await
        .unwrap();
    assert_eq!(name, "Asha Stores");
}
