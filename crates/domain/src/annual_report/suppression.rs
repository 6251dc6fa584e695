//! Suppression of small counts for the publishable report.
//!
//! A count from 1 to 4 could point to a person, so the public sees "< 5"
//! (primary suppression). Hiding it is not enough when the table also
//! shows its total: the total minus the other cells would give it back. So
//! within a table with a total (secondary suppression):
//!
//! - a total that is itself 1 to 4 is suppressed;
//! - while the cells hidden so far could be worked out or narrowed down,
//!   the smallest non-zero cell still shown is hidden too. "Worked out or
//!   narrowed down" means: with `m` cells shown as "< 5" (each 1 to 4) and
//!   `k` other hidden cells (each 5 or more), the hidden cells add up to
//!   `D` (the total minus what is shown). That reveals nothing more than
//!   "< 5" when `k >= 1`, `m + k >= 2` and `D - 5k >= 4m`: every value from
//!   1 to 4 stays possible for every "< 5" cell, and `D` itself is at least
//!   9;
//! - when no cell is left to hide, the total is hidden.
//!
//! Quantities that appear in several places (the number of reports is the
//! total of three tables; the gifts total is also a cell of the
//! declarations by kind) are hidden everywhere once hidden anywhere, and
//! the tables are protected again, until nothing changes.

use super::Table;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// How a count is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    Exact(i64),
    /// 1 to 4: shown as "< 5".
    Small,
    /// Hidden so that a small count elsewhere cannot be worked out.
    Hidden,
}

impl Shown {
    pub fn is_exact(self) -> bool {
        matches!(self, Shown::Exact(_))
    }
}

/// A count from 1 to 4.
pub fn is_small(n: i64) -> bool {
    (1..=4).contains(&n)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownRow {
    pub code: String,
    pub label_key: String,
    pub shown: Shown,
}

/// A table as one version of the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownTable {
    pub section: String,
    pub id: String,
    pub caption_key: String,
    pub head_key: String,
    pub rows: Vec<ShownRow>,
    pub total: Option<Shown>,
    pub total_key: Option<String>,
    pub chart: bool,
}

fn shown_table(t: &Table, cells: &[Shown], total: Option<Shown>) -> ShownTable {
    ShownTable {
        section: t.section.clone(),
        id: t.id.clone(),
        caption_key: t.caption_key.clone(),
        head_key: t.head_key.clone(),
        rows: t
            .rows
            .iter()
            .zip(cells)
            .map(|(r, s)| ShownRow {
                code: r.code.clone(),
                label_key: r.label_key.clone(),
                shown: *s,
            })
            .collect(),
        total,
        total_key: t.total.clone(),
        chart: t.chart,
    }
}

/// The internal version: every count as it is.
pub fn exact(tables: &[Table]) -> Vec<ShownTable> {
    tables
        .iter()
        .map(|t| {
            let cells: Vec<Shown> = t.rows.iter().map(|r| Shown::Exact(r.value)).collect();
            let total = t.total.as_ref().map(|_| Shown::Exact(t.total_value()));
            shown_table(t, &cells, total)
        })
        .collect()
}

/// Primary suppression of one table's cells, and of its total when it is
/// small.
pub fn primary(values: &[i64], additive: bool) -> (Vec<Shown>, Option<Shown>) {
    let shown = |n: i64| {
        if is_small(n) {
            Shown::Small
        } else {
            Shown::Exact(n)
        }
    };
    let total = additive.then(|| shown(values.iter().sum()));
    (values.iter().map(|n| shown(*n)).collect(), total)
}

/// Whether the hidden cells of a table with a shown total reveal nothing
/// beyond "< 5" (see the module documentation).
pub fn safe(values: &[i64], cells: &[Shown]) -> bool {
    let m = cells.iter().filter(|s| **s == Shown::Small).count() as i64;
    let k = cells.iter().filter(|s| **s == Shown::Hidden).count() as i64;
    if m + k == 0 {
        return true;
    }
    let d: i64 = values
        .iter()
        .zip(cells)
        .filter(|(_, s)| !s.is_exact())
        .map(|(v, _)| v)
        .sum();
    k >= 1 && m + k >= 2 && d - 5 * k >= 4 * m
}

/// Secondary suppression of one table (its total is the sum of `values`).
pub fn secondary(values: &[i64], cells: &mut [Shown], total: &mut Shown) {
    while total.is_exact() && !safe(values, cells) {
        let next = cells
            .iter()
            .enumerate()
            .filter(|(i, s)| s.is_exact() && values[*i] > 0)
            .min_by_key(|(i, _)| (values[*i], *i))
            .map(|(i, _)| i);
        match next {
            Some(i) => cells[i] = Shown::Hidden,
            None => *total = Shown::Hidden,
        }
    }
}

/// One table on its own: primary, then secondary suppression.
pub fn protect(values: &[i64], additive: bool) -> (Vec<Shown>, Option<Shown>) {
    let (mut cells, mut total) = primary(values, additive);
    if let Some(t) = total.as_mut() {
        secondary(values, &mut cells, t);
    }
    (cells, total)
}

/// The publishable version of a report's tables.
pub fn suppress(tables: &[Table]) -> Vec<ShownTable> {
    let values: Vec<Vec<i64>> = tables
        .iter()
        .map(|t| t.rows.iter().map(|r| r.value).collect())
        .collect();
    let mut state: Vec<(Vec<Shown>, Option<Shown>)> = tables
        .iter()
        .zip(&values)
        .map(|(t, v)| primary(v, t.total.is_some()))
        .collect();
    loop {
        for (v, (cells, total)) in values.iter().zip(state.iter_mut()) {
            if let Some(total) = total.as_mut() {
                secondary(v, cells, total);
            }
        }
        // Quantities hidden somewhere are hidden everywhere.
        let mut hidden: HashSet<&str> = HashSet::new();
        for (t, (cells, total)) in tables.iter().zip(&state) {
            if let (Some(key), Some(total)) = (&t.total, total)
                && !total.is_exact()
            {
                hidden.insert(key);
            }
            for (r, s) in t.rows.iter().zip(cells) {
                if let Some(key) = &r.link
                    && !s.is_exact()
                {
                    hidden.insert(key);
                }
            }
        }
        let mut changed = false;
        for (t, (cells, total)) in tables.iter().zip(state.iter_mut()) {
            if let (Some(key), Some(total)) = (&t.total, total.as_mut())
                && hidden.contains(key.as_str())
                && total.is_exact()
            {
                *total = Shown::Hidden;
                changed = true;
            }
            for (r, s) in t.rows.iter().zip(cells.iter_mut()) {
                if let Some(key) = &r.link
                    && hidden.contains(key.as_str())
                    && s.is_exact()
                {
                    *s = Shown::Hidden;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    tables
        .iter()
        .zip(&state)
        .map(|(t, (cells, total))| shown_table(t, cells, *total))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annual_report::Row;
    use Shown::{Exact, Hidden, Small};

    /// A small deterministic generator (xorshift), so that a failing case
    /// can be found again.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        /// Mostly small counts and zeros, sometimes large ones.
        fn count(&mut self) -> i64 {
            match self.below(10) {
                0..=2 => 0,
                3..=6 => 1 + self.below(5) as i64,
                7 | 8 => 5 + self.below(10) as i64,
                _ => self.below(200) as i64,
            }
        }
    }

    fn table(id: &str, values: &[i64], total: Option<&str>, links: &[(usize, &str)]) -> Table {
        Table {
            section: "s".into(),
            id: id.into(),
            caption_key: String::new(),
            head_key: String::new(),
            rows: values
                .iter()
                .enumerate()
                .map(|(i, v)| Row {
                    code: format!("c{i}"),
                    label_key: String::new(),
                    value: *v,
                    link: links
                        .iter()
                        .find(|(at, _)| *at == i)
                        .map(|(_, k)| k.to_string()),
                })
                .collect(),
            total: total.map(str::to_string),
            chart: false,
        }
    }

    /// What a reader can compute from one published table.
    fn assert_nothing_small_leaks(values: &[i64], t: &ShownTable) {
        for (v, r) in values.iter().zip(&t.rows) {
            match r.shown {
                Exact(n) => {
                    assert_eq!(n, *v);
                    assert!(!is_small(n), "published cell {n}: {values:?} {t:?}");
                }
                Small => assert!(is_small(*v), "< 5 for {v}"),
                Hidden => assert!(*v >= 5, "hidden cells are not small: {v}"),
            }
        }
        let total: i64 = values.iter().sum();
        match t.total {
            Some(Exact(n)) => {
                assert_eq!(n, total);
                assert!(!is_small(n), "published total {n}");
                let published: i64 = t
                    .rows
                    .iter()
                    .filter_map(|r| match r.shown {
                        Exact(n) => Some(n),
                        _ => None,
                    })
                    .sum();
                let difference = n - published;
                assert!(
                    !is_small(difference),
                    "total minus the published cells gives {difference}: {values:?} {t:?}"
                );
                let cells: Vec<Shown> = t.rows.iter().map(|r| r.shown).collect();
                assert!(safe(values, &cells), "narrowed down: {values:?} {t:?}");
            }
            Some(Small) => assert!(is_small(total)),
            Some(Hidden) | None => {}
        }
    }

    #[test]
    fn small_cells_and_what_reveals_them_are_hidden() {
        let (cells, total) = protect(&[3, 20, 7, 0], true);
        assert_eq!(cells, [Small, Exact(20), Hidden, Exact(0)]);
        assert_eq!(total, Some(Exact(30)));
        // 1 + 5 = 6 would give the 1 back (the hidden cell is 5 or more).
        let (cells, total) = protect(&[1, 5], true);
        assert_eq!(cells, [Small, Hidden]);
        assert_eq!(total, Some(Hidden));
        let (cells, total) = protect(&[3, 0], true);
        assert_eq!(cells, [Small, Exact(0)]);
        assert_eq!(total, Some(Small));
        let (cells, total) = protect(&[0, 0], true);
        assert_eq!(cells, [Exact(0), Exact(0)]);
        assert_eq!(total, Some(Exact(0)));
        // Two small cells hide each other only with a large enough cell.
        let (cells, total) = protect(&[2, 2, 40], true);
        assert_eq!(cells, [Small, Small, Hidden]);
        assert_eq!(total, Some(Exact(44)));
        // Without a total only the small cells go.
        let (cells, total) = protect(&[2, 9], false);
        assert_eq!(cells, [Small, Exact(9)]);
        assert_eq!(total, None);
    }

    #[test]
    fn property_no_published_cell_or_difference_is_from_1_to_4() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let n = 1 + rng.below(9) as usize;
            let values: Vec<i64> = (0..n).map(|_| rng.count()).collect();
            let additive = rng.below(4) != 0;
            let t = table("t", &values, additive.then_some("q"), &[]);
            let shown = suppress(std::slice::from_ref(&t));
            assert_nothing_small_leaks(&values, &shown[0]);
        }
    }

    #[test]
    fn property_shared_quantities_are_hidden_everywhere() {
        let mut rng = Rng(0xD1B5_4A32_D192_ED03);
        for _ in 0..5_000 {
            // Two tables with the same total (reports by category and by
            // channel), and a third whose total is a cell of the first
            // (the gifts among the declarations).
            let n = 1 + rng.below(6) as usize;
            let a: Vec<i64> = (0..n).map(|_| rng.count()).collect();
            let total: i64 = a.iter().sum();
            let mut b = vec![0; 1 + rng.below(5) as usize];
            let mut left = total;
            let last = b.len() - 1;
            for (i, cell) in b.iter_mut().enumerate() {
                let take = if i == last {
                    left
                } else {
                    (rng.below(left as u64 + 1)) as i64
                };
                *cell = take;
                left -= take;
            }
            let linked = a[0];
            let mut c = vec![0; 1 + rng.below(4) as usize];
            let mut left = linked;
            let last = c.len() - 1;
            for (i, cell) in c.iter_mut().enumerate() {
                let take = if i == last {
                    left
                } else {
                    (rng.below(left as u64 + 1)) as i64
                };
                *cell = take;
                left -= take;
            }
            let tables = [
                table("a", &a, Some("total"), &[(0, "linked")]),
                table("b", &b, Some("total"), &[]),
                table("c", &c, Some("linked"), &[]),
            ];
            let shown = suppress(&tables);
            for (values, t) in [&a, &b, &c].iter().zip(&shown) {
                assert_nothing_small_leaks(values, t);
            }
            // The shared total is shown alike in both tables.
            assert_eq!(
                shown[0].total.unwrap().is_exact(),
                shown[1].total.unwrap().is_exact()
            );
            // The linked cell and the third table's total alike.
            assert_eq!(
                shown[0].rows[0].shown.is_exact(),
                shown[2].total.unwrap().is_exact(),
                "{a:?} {c:?} {shown:?}"
            );
        }
    }
}
