//! Shelf labels: an A4 sheet of 3 × 8 labels (70 × 37 mm, the common "24 per sheet" stock), each
//! with the product's name, its selling price and the Code 128 barcode of its SKU, with the code
//! written under it. The symbology comes from the `barcoders` crate; only the bars are drawn
//! here, as filled rectangles, with the quiet zone the standard asks for.

use super::layout::{Op, BLACK};
use super::shaping::{Fonts, Weight, FONTS};
use super::{printable, write};
use crate::domain::{Currency, Money};

const MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 210.0 * MM;
const PAGE_H: f32 = 297.0 * MM;
const COLUMNS: usize = 3;
const ROWS: usize = 8;
const LABEL_W: f32 = 70.0 * MM;
const LABEL_H: f32 = 37.0 * MM;
/// The sheet's top and bottom margin: what 8 labels leave of the page's height.
const TOP: f32 = (PAGE_H - ROWS as f32 * LABEL_H) / 2.0;
const PAD: f32 = 3.5 * MM;
const BARS_H: f32 = 11.0 * MM;
/// The widest module drawn (0.33 mm is Code 128's nominal "X dimension").
const MAX_MODULE: f32 = 0.33 * MM;
/// Modules of empty space either side of the bars.
const QUIET: f32 = 10.0;
/// The most copies of one product a sheet request prints.
pub const MAX_COPIES: usize = 240;

/// One product to label.
#[derive(Clone, Debug)]
pub struct Item {
    pub name: String,
    pub price: Money,
    /// What the price is per, for loose goods (`/ kg`: `Measure::per`).
    pub per: Option<String>,
    /// The SKU/barcode; a product without one gets its name and price only.
    pub code: Option<String>,
}

/// The bars of `code` in Code 128 (character set B: letters, digits and punctuation), one
/// `true` per dark module; `None` when the code has characters Code 128 cannot carry.
pub fn bars(code: &str) -> Option<Vec<bool>> {
    if code.is_empty() || !code.chars().all(|c| (' '..='~').contains(&c)) {
        return None;
    }
    let symbol = barcoders::sym::code128::Code128::new(format!("\u{0181}{code}")).ok()?;
    Some(symbol.encode().into_iter().map(|m| m == 1).collect())
}

/// Writes `words` in a box at (`x`, `y`) of `width`, in at most `lines` lines; returns the
/// height used.
fn text(
    fonts: &Fonts,
    ops: &mut Vec<Op>,
    words: &str,
    (weight, size): (Weight, f32),
    (x, y, width): (f32, f32, f32),
    lines: usize,
    center: bool,
) -> f32 {
    let mut top = y;
    for line in fonts.wrap(&printable(words, false), weight, size, width, lines) {
        let left = if center {
            x + (width - line.width).max(0.0) / 2.0
        } else {
            x
        };
        ops.push(Op::Text {
            x: left,
            baseline: top + size * 1.05,
            line,
            color: BLACK,
        });
        top += size * 1.3;
    }
    top - y
}

/// One label with its top left corner at (`x`, `y`).
fn label(fonts: &Fonts, ops: &mut Vec<Op>, item: &Item, currency: &Currency, x: f32, y: f32) {
    let inner = LABEL_W - 2.0 * PAD;
    let (x, mut top) = (x + PAD, y + PAD);
    top += text(
        fonts,
        ops,
        &item.name,
        (Weight::Bold, 8.5),
        (x, top, inner),
        2,
        false,
    );
    let price = match &item.per {
        Some(per) => format!("{} {per}", currency.format(item.price)),
        None => currency.format(item.price),
    };
    top += text(
        fonts,
        ops,
        &price,
        (Weight::Bold, 12.0),
        (x, top, inner),
        1,
        false,
    );
    let Some(code) = &item.code else { return };
    let Some(modules) = bars(code) else {
        text(
            fonts,
            ops,
            code,
            (Weight::Regular, 7.0),
            (x, top + 2.0, inner),
            1,
            true,
        );
        return;
    };
    let module = (inner / (modules.len() as f32 + 2.0 * QUIET)).min(MAX_MODULE);
    let width = module * modules.len() as f32;
    let bars_top = (y + LABEL_H - PAD - BARS_H - 8.0).max(top + 1.0);
    let left = x + (inner - width) / 2.0;
    // Runs of dark modules as one rectangle each.
    let mut run = 0usize;
    for (i, dark) in modules.iter().chain(std::iter::once(&false)).enumerate() {
        if *dark {
            run += 1;
            continue;
        }
        if run > 0 {
            let start = left + (i - run) as f32 * module;
            ops.push(Op::Rect {
                x: start,
                y: bars_top,
                w: run as f32 * module,
                h: BARS_H,
                color: BLACK,
            });
            run = 0;
        }
    }
    let under = bars_top + BARS_H + 1.0;
    text(
        fonts,
        ops,
        code,
        (Weight::Regular, 7.0),
        (x, under, inner),
        1,
        true,
    );
}

/// `copies` labels of each of `items`, in order, on as many A4 sheets as they need.
pub fn render(shop_name: &str, items: &[Item], copies: usize, currency: &Currency) -> Vec<u8> {
    let fonts = &*FONTS;
    let copies = copies.clamp(1, MAX_COPIES);
    let all: Vec<&Item> = items
        .iter()
        .flat_map(|item| std::iter::repeat_n(item, copies))
        .collect();
    let per_sheet = COLUMNS * ROWS;
    let mut pages = Vec::new();
    for sheet in all.chunks(per_sheet).take(100) {
        let mut ops = Vec::new();
        for (i, item) in sheet.iter().enumerate() {
            let (column, row) = (i % COLUMNS, i / COLUMNS);
            let x = column as f32 * LABEL_W;
            let y = TOP + row as f32 * LABEL_H;
            label(fonts, &mut ops, item, currency, x, y);
        }
        pages.push((PAGE_W, PAGE_H, ops));
    }
    if pages.is_empty() {
        pages.push((PAGE_W, PAGE_H, Vec::new()));
    }
    write(&pages, "Labels", shop_name, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_128_starts_and_stops_as_the_standard_says() {
        let modules = bars("8901234567890").unwrap();
        // Start B is 11010010000; every symbol ends with the stop pattern 1100011101011.
        let start: Vec<bool> = "11010010000".chars().map(|c| c == '1').collect();
        let stop: Vec<bool> = "1100011101011".chars().map(|c| c == '1').collect();
        assert_eq!(&modules[..11], &start[..]);
        assert_eq!(&modules[modules.len() - 13..], &stop[..]);
        assert!(bars("").is_none());
        assert!(bars("चाय").is_none(), "Code 128 carries ASCII only");
    }

    #[test]
    fn a_sheet_holds_twenty_four_labels_and_more_copies_take_more_sheets() {
        let item = Item {
            name: "Basmati Rice 5kg".into(),
            price: Money::from_minor(64_900),
            per: None,
            code: Some("RICE-5".into()),
        };
        let one = render(
            "Shop",
            std::slice::from_ref(&item),
            24,
            &Currency::default(),
        );
        let two = render("Shop", &[item], 25, &Currency::default());
        assert!(one.starts_with(b"%PDF") && two.starts_with(b"%PDF"));
        assert!(
            two.len() > one.len(),
            "the 25th label starts a second sheet"
        );
    }
}
