//! The one keyset pager behind every cursor-paged list (bills, the ledger, the audit trail,
//! expiring lots). A page reads along an index on `(key, id)` from a cursor, one more row than
//! it shows to learn whether more exist, so the millionth row costs what the first does.

use super::{Arg, Conditions, Db, Result};
use crate::domain::ledger::{Cursor, Page, Seek};
use crate::domain::Day;
use sqlx::any::AnyRow;

/// What a list is ordered by.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Order {
    /// Newest first by a Unix-time column (`Before` reads older rows).
    NewestFirst,
    /// Soonest first by a `YYYY-MM-DD` column (`Before` reads later rows); the cursor carries
    /// the day as its [`Day::key`].
    SoonestFirst,
}

/// A list's keyset: its order and the two columns it pages along.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Keyset {
    pub order: Order,
    /// The ordering column, e.g. `m.created_at`.
    pub key: &'static str,
    /// The tie-breaking id column, e.g. `m.id`.
    pub id: &'static str,
}

impl Keyset {
    /// The cursor's key as the column stores it.
    fn key_arg(self, cursor: Cursor) -> Arg {
        match self.order {
            Order::NewestFirst => Arg::Int(cursor.at),
            Order::SoonestFirst => Arg::Text(Day::from_key(cursor.at).to_string()),
        }
    }

    /// Adds the condition of `seek` and returns the `ORDER BY` that reads from it. `After`
    /// reads towards the front of the list, so its rows come back reversed (see
    /// [`Page::from_probe`]).
    fn seek(self, conditions: &mut Conditions, seek: Seek) -> String {
        let (key, id) = (self.key, self.id);
        let (forward, backward, ahead, behind) = match self.order {
            Order::NewestFirst => ("DESC", "ASC", "<", ">"),
            Order::SoonestFirst => ("ASC", "DESC", ">", "<"),
        };
        let (cursor, cmp, direction) = match seek {
            Seek::Newest => return format!("ORDER BY {key} {forward}, {id} {forward}"),
            Seek::Before(c) => (c, ahead, forward),
            Seek::After(c) => (c, behind, backward),
        };
        conditions.push(
            &format!("({key}, {id}) {cmp} (?, ?)"),
            [self.key_arg(cursor), Arg::Int(cursor.id)],
        );
        format!("ORDER BY {key} {direction}, {id} {direction}")
    }
}

/// One page of `select` (a `SELECT … FROM …` without `WHERE`), filtered by `conditions`, in
/// `keyset`'s order from `seek`.
#[expect(
    clippy::too_many_arguments,
    reason = "the query, its filters, its order and how to read a row: one call per list"
)]
pub(crate) async fn page<T>(
    db: &Db,
    select: &str,
    mut conditions: Conditions,
    keyset: Keyset,
    seek: Seek,
    per_page: i64,
    row: impl Fn(&AnyRow) -> Result<T>,
    cursor: impl Fn(&T) -> Cursor,
) -> Result<Page<T>> {
    let order = keyset.seek(&mut conditions, seek);
    let sql = format!(
        "{select} {} {order} LIMIT ${}",
        conditions.where_sql(),
        conditions.next_param()
    );
    let rows = conditions
        .bind(sqlx::query(&sql))
        .bind(per_page + 1)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(row)
        .collect::<Result<Vec<_>>>()?;
    Ok(Page::from_probe(
        rows,
        usize::try_from(per_page).unwrap_or_default(),
        seek,
        cursor,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order_of(keyset: Keyset, seek: Seek) -> (String, String) {
        let mut conditions = Conditions::default();
        let order = keyset.seek(&mut conditions, seek);
        (conditions.where_sql(), order)
    }

    #[test]
    fn newest_first_lists_read_older_rows_before_a_cursor_and_newer_after_it() {
        let keyset = Keyset {
            order: Order::NewestFirst,
            key: "created_at",
            id: "id",
        };
        let c = Cursor { at: 5, id: 1 };
        assert_eq!(
            order_of(keyset, Seek::Newest),
            (String::new(), "ORDER BY created_at DESC, id DESC".into())
        );
        assert_eq!(
            order_of(keyset, Seek::Before(c)),
            (
                "WHERE (created_at, id) < ($1, $2)".into(),
                "ORDER BY created_at DESC, id DESC".into()
            )
        );
        assert_eq!(
            order_of(keyset, Seek::After(c)).1,
            "ORDER BY created_at ASC, id ASC"
        );
    }

    #[test]
    fn soonest_first_lists_read_later_rows_before_a_cursor_by_its_day() {
        let keyset = Keyset {
            order: Order::SoonestFirst,
            key: "l.expires_on",
            id: "l.id",
        };
        let mut conditions = Conditions::default();
        let order = keyset.seek(&mut conditions, Seek::Before(Cursor { at: 86_400, id: 3 }));
        assert_eq!(
            conditions.where_sql(),
            "WHERE (l.expires_on, l.id) > ($1, $2)"
        );
        assert_eq!(order, "ORDER BY l.expires_on ASC, l.id ASC");
        assert!(
            matches!(&keyset.key_arg(Cursor { at: 86_400, id: 3 }), Arg::Text(day) if day == "1970-01-02")
        );
    }
}
