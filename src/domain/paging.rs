//! Lists read a page at a time by cursor (keyset), not by offset: the millionth row costs what
//! the first does. A [`Cursor`] is a row's place (a time and an id), [`Seek`] says which way
//! to read from it, and [`Page`] is what came back with its neighbours' cursors.

use serde::{Deserialize, Serialize};

/// A place in a newest-first list: the time and id of a row. Lists page by cursor, not by
/// offset, so the millionth row costs what the first does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub at: i64,
    pub id: i64,
}

impl Cursor {
    /// From a `before`/`after` query value, `"{at}.{id}"`; anything else is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let (at, id) = text.trim().split_once('.')?;
        Some(Self {
            at: at.parse().ok()?,
            id: id.parse().ok()?,
        })
    }

    /// The query value.
    pub fn to_param(self) -> String {
        format!("{}.{}", self.at, self.id)
    }
}

/// Which way from a cursor a page reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Seek {
    /// The newest rows.
    #[default]
    Newest,
    /// The rows just older than the cursor.
    Before(Cursor),
    /// The rows just newer than the cursor.
    After(Cursor),
}

impl Seek {
    /// From the page's `before` and `after` query values (`before` wins).
    pub fn from_params(before: Option<&str>, after: Option<&str>) -> Self {
        match (
            before.and_then(Cursor::parse),
            after.and_then(Cursor::parse),
        ) {
            (Some(c), _) => Seek::Before(c),
            (None, Some(c)) => Seek::After(c),
            (None, None) => Seek::Newest,
        }
    }
}

/// One page of a newest-first list, with where the neighbouring pages start.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// Set when there are older rows: `?before=` this.
    pub older: Option<Cursor>,
    /// Set when there are newer rows: `?after=` this.
    pub newer: Option<Cursor>,
}

impl<T> Page<T> {
    /// Builds a page from rows fetched with one extra (to learn whether more exist), in the
    /// order the query read them (newest first for `Newest`/`Before`, oldest first for `After`).
    pub fn from_probe(
        mut rows: Vec<T>,
        per_page: usize,
        seek: Seek,
        cursor_of: impl Fn(&T) -> Cursor,
    ) -> Self {
        let more = rows.len() > per_page;
        rows.truncate(per_page);
        if let Seek::After(_) = seek {
            rows.reverse();
        }
        let first = rows.first().map(&cursor_of);
        let last = rows.last().map(&cursor_of);
        let (older, newer) = match seek {
            Seek::Newest => (last.filter(|_| more), None),
            Seek::Before(_) => (last.filter(|_| more), first),
            Seek::After(_) => (last, first.filter(|_| more)),
        };
        Self { rows, older, newer }
    }
}

/// The page sizes the long lists offer (`Rows`: `/inventory`, `/bills`, `/transactions`).
pub const ROW_CHOICES: [i64; 3] = [25, 50, 100];

/// Rows per page: `asked` (the `rows` query value) when it is one of [`ROW_CHOICES`], else the
/// list's `default` — a hand-typed `rows=100000` never reads the whole table.
pub fn rows_per_page(asked: Option<i64>, default: i64) -> i64 {
    asked.filter(|n| ROW_CHOICES.contains(n)).unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_per_page_is_one_of_the_choices_or_the_default() {
        for n in ROW_CHOICES {
            assert_eq!(rows_per_page(Some(n), 50), n);
        }
        for junk in [Some(0), Some(-25), Some(26), Some(100_000), None] {
            assert_eq!(rows_per_page(junk, 50), 50, "{junk:?}");
        }
    }

    #[test]
    fn cursors_round_trip_and_refuse_junk() {
        let c = Cursor {
            at: 1_790_000_000,
            id: 42,
        };
        assert_eq!(Cursor::parse(&c.to_param()), Some(c));
        for junk in ["", "1", "a.b", "1.2.3", "9999999999999999999999.1"] {
            assert_eq!(Cursor::parse(junk), None, "{junk}");
        }
        assert_eq!(
            Seek::from_params(Some("5.1"), Some("6.2")),
            Seek::Before(Cursor { at: 5, id: 1 })
        );
        assert_eq!(
            Seek::from_params(None, Some("6.2")),
            Seek::After(Cursor { at: 6, id: 2 })
        );
        assert_eq!(Seek::from_params(Some("x"), None), Seek::Newest);
    }

    #[test]
    fn pages_know_their_neighbours() {
        let at = |id: i64| Cursor { at: id * 10, id };
        // Newest first: 9, 8, 7 shown, 6 probes for more.
        let page = Page::from_probe(vec![9, 8, 7, 6], 3, Seek::Newest, |&i| at(i));
        assert_eq!(
            (page.rows.as_slice(), page.older, page.newer),
            (&[9, 8, 7][..], Some(at(7)), None)
        );
        let last = Page::from_probe(vec![3, 2], 3, Seek::Before(at(4)), |&i| at(i));
        assert_eq!((last.older, last.newer), (None, Some(at(3))));
        // Going back up: read oldest first, shown newest first.
        let up = Page::from_probe(vec![7, 8, 9, 10], 3, Seek::After(at(6)), |&i| at(i));
        assert_eq!(
            (up.rows.as_slice(), up.older, up.newer),
            (&[9, 8, 7][..], Some(at(7)), Some(at(9)))
        );
        let top = Page::from_probe(vec![7, 8], 3, Seek::After(at(6)), |&i| at(i));
        assert_eq!((top.rows.as_slice(), top.newer), (&[8, 7][..], None));
    }
}
