//! People and access storage on both databases: employees (create, list, edit, deactivate,
//! delete), the rules that keep a manager in charge, the audit trail, sign-in failures for
//! throttling, and ending a person's other sessions.

mod common;

use stockroom::domain::ledger::Seek;

use sqlx::Row;
use stockroom::domain::bill::BillKind;
use stockroom::domain::employee::{AuditAction, EmployeeForm, Gender};
use stockroom::domain::{Email, Role};
use stockroom::server::storage::audit::{self, Actor, NewEntry};
use stockroom::server::storage::people::{self, PeopleError};
use stockroom::server::storage::stock::{record, BillInput};
use stockroom::server::storage::users::{self, NewAccount};
use stockroom::server::storage::{sessions, throttle, Db};

async fn account(db: &Db, email: &str, role: Role) -> i64 {
    let email = Email::parse(email).unwrap();
    let account = NewAccount {
        email: &email,
        first_name: "Shop",
        last_name: "Person",
        role,
        password_hash: "hash",
    };
    users::insert(db, &account, 0).await.unwrap()
}

fn actor(id: i64, email: &str) -> Actor {
    Actor {
        id,
        email: email.into(),
        client_addr: "203.0.113.9".into(),
    }
}

fn draft(email: &str, role: &str) -> stockroom::domain::employee::EmployeeDraft {
    EmployeeForm {
        first_name: "Asha".into(),
        last_name: "Rao".into(),
        email: email.into(),
        age: "29".into(),
        gender: "female".into(),
        role: role.into(),
    }
    .parse()
    .unwrap()
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(db.pool_for_tests())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

async fn actions(db: &Db) -> Vec<AuditAction> {
    let mut page = audit::list(db, Seek::Newest, 100).await.unwrap().rows;
    page.reverse();
    page.into_iter().map(|e| e.action).collect()
}

async fn buy_something(db: &Db, user_id: i64) {
    let bill = BillInput {
        kind: BillKind::Purchase,
        party: common::party("Ravi Traders"),
        lines: vec![common::line("Toor Dal", 5, 10_000, None)],
        tax_rate_bp: 0,
        user_id,
        key: format!("key-{user_id}"),
        now: 1_760_000_000,
    };
    record(db, &bill).await.unwrap();
}

on_both_backends! {
    async fn an_employee_is_created_listed_and_edited_with_an_audit_line_each(t: TestDb) {
        let boss = account(&t.db, "boss@shop.in", Role::Manager).await;
        let by = actor(boss, "boss@shop.in");
        let id = people::create_employee(&t.db, &draft("asha@shop.in", "staff"), "h1", &by, 100)
            .await
            .unwrap();
        let asha = people::get_employee(&t.db, id).await.unwrap().unwrap();
        assert_eq!(asha.user.full_name(), "Asha Rao");
        assert_eq!((asha.age, asha.gender), (Some(29), Some(Gender::Female)));
        assert!(asha.active && !asha.has_history);
        assert_eq!(asha.user.role, Role::Staff);

        let taken = people::create_employee(&t.db, &draft("ASHA@shop.in", "staff"), "h", &by, 101).await;
        assert!(matches!(taken, Err(PeopleError::EmailTaken)), "{taken:?}");

        let mut change = draft("asha.rao@shop.in", "manager");
        change.age = None;
        change.gender = None;
        people::update_employee(&t.db, id, &change, &by, 102).await.unwrap();
        people::reset_password(&t.db, id, "h2", None, &by, 103).await.unwrap();
        let asha = people::get_employee(&t.db, id).await.unwrap().unwrap();
        assert_eq!(asha.user.email.as_str(), "asha.rao@shop.in");
        assert_eq!(asha.user.role, Role::Manager);
        assert_eq!((asha.age, asha.gender), (None, None));
        let account = users::find_by_id(&t.db, id).await.unwrap().unwrap();
        assert_eq!(account.password_hash, "h2");

        let list = people::list_employees(&t.db).await.unwrap();
        assert_eq!(list.len(), 2);
        let trail = audit::list(&t.db, Seek::Newest, 10).await.unwrap();
        assert_eq!(trail.rows.len(), 3);
        assert_eq!(trail.rows[0].action, AuditAction::PasswordReset);
        let edit = &trail.rows[1];
        assert_eq!(edit.action, AuditAction::EmployeeUpdated);
        assert_eq!(edit.actor.as_deref(), Some("boss@shop.in"));
        assert_eq!(edit.target.as_deref(), Some("asha@shop.in"));
        assert_eq!(edit.client_addr, "203.0.113.9");
        for words in ["email asha@shop.in → asha.rao@shop.in", "role staff → manager", "age 29 → not said"] {
            assert!(edit.detail.contains(words), "{words} missing from {:?}", edit.detail);
        }
    }

    async fn the_last_active_manager_cannot_be_demoted_deactivated_or_deleted(t: TestDb) {
        let boss = account(&t.db, "boss@shop.in", Role::Manager).await;
        let second = account(&t.db, "second@shop.in", Role::Manager).await;
        let by_second = actor(second, "second@shop.in");
        let by_boss = actor(boss, "boss@shop.in");
        // Oneself: never, whoever else there is.
        let own = people::set_active(&t.db, boss, false, &by_boss, 1).await;
        assert!(matches!(own, Err(PeopleError::OwnAccount)), "{own:?}");
        let own = people::update_employee(&t.db, boss, &draft("boss@shop.in", "staff"), &by_boss, 1).await;
        assert!(matches!(own, Err(PeopleError::OwnAccount)), "{own:?}");
        let own = people::delete_employee(&t.db, boss, &by_boss, 1).await;
        assert!(matches!(own, Err(PeopleError::OwnAccount)), "{own:?}");
        // Another manager: yes, while one stays.
        people::set_active(&t.db, boss, false, &by_second, 2).await.unwrap();
        // Now `second` is the only active manager; a deactivated manager does not count.
        let boss_again = actor(boss, "boss@shop.in");
        let last = people::update_employee(&t.db, second, &draft("second@shop.in", "staff"), &boss_again, 3).await;
        assert!(matches!(last, Err(PeopleError::LastManager)), "{last:?}");
        let last = people::set_active(&t.db, second, false, &boss_again, 3).await;
        assert!(matches!(last, Err(PeopleError::LastManager)), "{last:?}");
        let last = people::delete_employee(&t.db, second, &boss_again, 3).await;
        assert!(matches!(last, Err(PeopleError::LastManager)), "{last:?}");
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM users WHERE role = 'manager' AND active = 1").await, 1);
        people::set_active(&t.db, boss, true, &by_second, 4).await.unwrap();
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM users WHERE role = 'manager' AND active = 1").await, 2);
        assert_eq!(
            actions(&t.db).await,
            [AuditAction::EmployeeDeactivated, AuditAction::EmployeeReactivated]
        );
    }

    async fn two_managers_demoting_each_other_at_once_leave_one_in_charge(t: TestDb) {
        let a = account(&t.db, "a@shop.in", Role::Manager).await;
        let b = account(&t.db, "b@shop.in", Role::Manager).await;
        for _ in 0..5 {
            let (by_a, by_b) = (actor(a, "a@shop.in"), actor(b, "b@shop.in"));
            let (da, db) = (draft("b@shop.in", "staff"), draft("a@shop.in", "staff"));
            let (one, two) = tokio::join!(
                people::update_employee(&t.db, b, &da, &by_a, 1),
                people::update_employee(&t.db, a, &db, &by_b, 1),
            );
            assert!(one.is_ok() != two.is_ok(), "exactly one demotion wins: {one:?} {two:?}");
            assert_eq!(count(&t.db, "SELECT COUNT(*) FROM users WHERE role = 'manager' AND active = 1").await, 1);
            // Back to two managers for the next round.
            let winner = if one.is_ok() { (a, "a@shop.in") } else { (b, "b@shop.in") };
            let loser = if one.is_ok() { (b, "b@shop.in") } else { (a, "a@shop.in") };
            people::update_employee(&t.db, loser.0, &draft(loser.1, "manager"), &actor(winner.0, winner.1), 2).await.unwrap();
        }
    }

    async fn only_someone_who_recorded_nothing_can_be_deleted(t: TestDb) {
        let boss = account(&t.db, "boss@shop.in", Role::Manager).await;
        let by = actor(boss, "boss@shop.in");
        let busy = account(&t.db, "busy@shop.in", Role::Staff).await;
        let idle = account(&t.db, "idle@shop.in", Role::Staff).await;
        buy_something(&t.db, busy).await;
        sessions::create(&t.db, "idle-session", idle, 1, 1_000_000).await.unwrap();
        assert!(people::get_employee(&t.db, busy).await.unwrap().unwrap().has_history);
        let refused = people::delete_employee(&t.db, busy, &by, 5).await;
        assert!(matches!(refused, Err(PeopleError::HasHistory)), "{refused:?}");
        people::delete_employee(&t.db, idle, &by, 5).await.unwrap();
        assert!(people::get_employee(&t.db, idle).await.unwrap().is_none());
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM sessions").await, 0);
        let missing = people::delete_employee(&t.db, idle, &by, 6).await;
        assert!(matches!(missing, Err(PeopleError::NotFound)), "{missing:?}");
        let trail = audit::list(&t.db, Seek::Newest, 10).await.unwrap().rows;
        assert_eq!(trail[0].action, AuditAction::EmployeeDeleted);
        assert_eq!(trail[0].target.as_deref(), Some("idle@shop.in"));
    }

    async fn deactivating_ends_every_session_and_a_password_change_all_but_one(t: TestDb) {
        let boss = account(&t.db, "boss@shop.in", Role::Manager).await;
        let staff = account(&t.db, "staff@shop.in", Role::Staff).await;
        for hash in ["s1", "s2", "s3"] {
            sessions::create(&t.db, hash, staff, 1, i64::MAX / 4).await.unwrap();
        }
        sessions::create(&t.db, "boss-1", boss, 1, i64::MAX / 4).await.unwrap();
        let me = actor(staff, "staff@shop.in");
        let ended = people::change_own_password(&t.db, &me, "new-hash", Some("s2"), 10).await.unwrap();
        assert_eq!(ended, 2);
        let left: Vec<String> = sqlx::query("SELECT token_hash FROM sessions WHERE user_id = $1")
            .bind(staff)
            .fetch_all(t.db.pool_for_tests())
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get("token_hash").unwrap())
            .collect();
        assert_eq!(left, ["s2"]);
        assert_eq!(users::find_by_id(&t.db, staff).await.unwrap().unwrap().password_hash, "new-hash");

        people::set_active(&t.db, staff, false, &actor(boss, "boss@shop.in"), 11).await.unwrap();
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM sessions").await, 1, "only the manager's session is left");
        assert!(!people::get_employee(&t.db, staff).await.unwrap().unwrap().active);
        assert_eq!(
            actions(&t.db).await,
            [AuditAction::PasswordChanged, AuditAction::EmployeeDeactivated]
        );
    }

    async fn the_audit_trail_pages_newest_first_and_refuses_edits(t: TestDb) {
        for at in 1..=5 {
            let entry = NewEntry {
                at,
                actor_id: None,
                actor_email: None,
                action: AuditAction::SignInFailed,
                target_id: None,
                target_email: Some("ghost@shop.in"),
                detail: "no such account",
                client_addr: "198.51.100.4",
            };
            audit::record(&t.db, &entry).await.unwrap();
        }
        let first = audit::list(&t.db, Seek::Newest, 2).await.unwrap();
        assert_eq!((first.newer, first.rows.iter().map(|e| e.at).collect::<Vec<_>>()), (None, vec![5, 4]));
        let second = audit::list(&t.db, Seek::Before(first.older.unwrap()), 2).await.unwrap();
        let third = audit::list(&t.db, Seek::Before(second.older.unwrap()), 2).await.unwrap();
        assert_eq!((third.rows.iter().map(|e| e.at).collect::<Vec<_>>(), third.older), (vec![1], None));
        let edit = sqlx::query("UPDATE audit_log SET detail = 'nothing happened'")
            .execute(t.db.pool_for_tests())
            .await;
        assert!(edit.is_err(), "the audit log is append-only");
        let delete = sqlx::query("DELETE FROM audit_log").execute(t.db.pool_for_tests()).await;
        assert!(delete.is_err(), "the audit log is append-only");
    }

    async fn sign_in_failures_are_counted_per_account_and_per_address_within_the_window(t: TestDb) {
        for (key, addr, at) in [
            ("asha@shop.in", "203.0.113.1", 100),
            ("asha@shop.in", "203.0.113.2", 110),
            ("ravi@shop.in", "203.0.113.1", 120),
            ("asha@shop.in", "203.0.113.1", 10),
        ] {
            throttle::record_failure(&t.db, key, addr, None, at).await.unwrap();
        }
        let recent = throttle::recent(&t.db, "asha@shop.in", "203.0.113.1", None, 50).await.unwrap();
        assert_eq!(recent.account, [100, 110]);
        assert_eq!(recent.client, [100, 120]);
        throttle::clear_account(&t.db, "asha@shop.in").await.unwrap();
        let recent = throttle::recent(&t.db, "asha@shop.in", "203.0.113.1", None, 0).await.unwrap();
        assert!(recent.account.is_empty());
        assert_eq!(recent.client, [120], "the address keeps its count");
        assert_eq!(throttle::purge(&t.db, 120).await.unwrap(), 1);
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM sign_in_failures").await, 0);
    }
}
