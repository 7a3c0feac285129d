//! Laying an invoice out on A4 pages: a list of drawing operations per page (so every page
//! can say "Page i of n"), then drawing them with krilla.

use super::shaping::{char_budget, Fonts, ShapedLine, Weight};
use super::{non_blank, printable, Labels};
use crate::domain::bill::{Bill, BillLine};
use crate::domain::tax::percent;
use crate::domain::{Currency, Money};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, FillRule};
use krilla::surface::Surface;

pub(super) const PAGE_W: f32 = 595.28; // A4, points
pub(super) const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 36.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
const HALF_W: f32 = CONTENT_W / 2.0 - 8.0;
/// Table rows and totals stop here; the page number goes below.
const BODY_BOTTOM: f32 = PAGE_H - MARGIN - 18.0;

/// Line height in ems: leaves room for Devanagari signs above the headline and below the base.
const LINE_GAP: f32 = 1.45;
/// Baseline below the top of a line, in ems.
const ASCENT: f32 = 1.05;
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 4.0;
/// The smallest size a number is shrunk to so that it fits its column.
const MIN_SIZE: f32 = 5.0;
/// Product names longer than this many lines end in "…".
const MAX_NAME_LINES: usize = 4;

// Table columns, left to right: #, item, quantity, rate, amount. Item takes what is left.
const COL_NO_W: f32 = 24.0;
const COL_QTY_W: f32 = 70.0;
const COL_RATE_W: f32 = 76.0;
const COL_AMOUNT_W: f32 = 88.0;
const COL_ITEM_W: f32 = CONTENT_W - COL_NO_W - COL_QTY_W - COL_RATE_W - COL_AMOUNT_W;

pub(super) type Rgb = (u8, u8, u8);
pub(super) const BLACK: Rgb = (0, 0, 0);
pub(super) const GREY: Rgb = (96, 96, 96);
pub(super) const RULE: Rgb = (200, 200, 200);
const HEADER_BG: Rgb = (235, 235, 235);

#[derive(Clone, Copy, Debug)]
enum Align {
    Left,
    Right,
}

/// How a piece of text is set.
#[derive(Clone, Copy, Debug)]
struct Style {
    weight: Weight,
    size: f32,
    color: Rgb,
    align: Align,
    /// Lines after this many are left out, and the last shown ends in "…".
    max_lines: usize,
}

impl Style {
    const fn new(weight: Weight, size: f32) -> Style {
        Style {
            weight,
            size,
            color: BLACK,
            align: Align::Left,
            max_lines: 1,
        }
    }
    const fn align(self, align: Align) -> Style {
        Style { align, ..self }
    }
    const fn color(self, color: Rgb) -> Style {
        Style { color, ..self }
    }
    const fn lines(self, max_lines: usize) -> Style {
        Style { max_lines, ..self }
    }
    fn line_height(self) -> f32 {
        self.size * LINE_GAP
    }
}

const BODY: Style = Style::new(Weight::Regular, 9.0);
const BODY_BOLD: Style = Style::new(Weight::Bold, 9.0);
const SMALL: Style = Style::new(Weight::Regular, 7.5).color(GREY);

#[derive(Clone, Debug)]
pub(super) enum Op {
    Text {
        x: f32,
        baseline: f32,
        line: ShapedLine,
        color: Rgb,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
}

struct Pager<'a> {
    fonts: &'a Fonts,
    shop_name: &'a str,
    bill: &'a Bill,
    currency: &'a Currency,
    labels: &'a Labels,
    /// Finished pages.
    pages: Vec<Vec<Op>>,
    /// The page being laid out.
    ops: Vec<Op>,
    /// Top of the free space on the current page.
    y: f32,
}

impl Pager<'_> {
    /// Wraps `text` (control characters become spaces, `\n` breaks the line) into lines.
    fn wrap(&self, text: &str, style: Style, width: f32) -> Vec<ShapedLine> {
        let text = printable(text, true);
        self.fonts
            .wrap(&text, style.weight, style.size, width, style.max_lines)
    }

    /// Numbers are never wrapped: one too wide for its column (a huge amount) is set smaller
    /// until it fits. Only if it does not fit even at [`MIN_SIZE`] is it cut, with "…".
    fn one_line(&self, text: &str, style: Style, width: f32) -> ShapedLine {
        let text = printable(text, false);
        let fonts = self.fonts;
        if text.chars().nth(char_budget(MIN_SIZE, width, 1)).is_none() {
            let line = fonts.shape(&text, style.weight, style.size);
            if line.width <= width {
                return line;
            }
            // A hair under the exact ratio, so rounding cannot leave it a hair too wide.
            let size = (style.size * width / line.width * 0.999).max(MIN_SIZE);
            let line = fonts.shape(&text, style.weight, size);
            if line.width <= width {
                return line;
            }
        }
        let mut cut = fonts.wrap(&text, style.weight, MIN_SIZE, width, 1);
        cut.pop()
            .unwrap_or_else(|| fonts.shape("", style.weight, MIN_SIZE))
    }

    /// Places lines in the box that starts at (`x`, `top`) and is `width` wide; returns the
    /// height used.
    fn place(&mut self, lines: Vec<ShapedLine>, style: Style, x: f32, width: f32, top: f32) -> f32 {
        let mut y = top;
        for line in lines {
            let x = match style.align {
                Align::Left => x,
                Align::Right => x + width - line.width,
            };
            let baseline = y + style.size * ASCENT;
            self.ops.push(Op::Text {
                x,
                baseline,
                line,
                color: style.color,
            });
            y += style.line_height();
        }
        y - top
    }

    /// Wraps and places `text`; returns the height used.
    fn text(&mut self, text: &str, style: Style, x: f32, width: f32, top: f32) -> f32 {
        let lines = self.wrap(text, style, width);
        self.place(lines, style, x, width, top)
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.ops.push(Op::Rect { x, y, w, h, color });
    }

    fn first_page(&mut self) {
        let (bill, labels) = (self.bill, self.labels);
        let right_x = MARGIN + CONTENT_W - HALF_W;

        // Shop on the left; title, number and date on the right.
        let shop = Style::new(Weight::Bold, 16.0).lines(2);
        let left = MARGIN + self.text(self.shop_name, shop, MARGIN, HALF_W, MARGIN);
        let heading = Style::new(Weight::Bold, 14.0).align(Align::Right);
        let detail = Style::new(Weight::Regular, 10.0).align(Align::Right);
        let mut right = MARGIN;
        right += self.text(labels.title, heading, right_x, HALF_W, right);
        let number = format!("Bill No: {}", labels.number);
        right += self.text(&number, detail, right_x, HALF_W, right + 2.0);
        if !labels.date.is_empty() {
            let date = format!("Date: {}", labels.date);
            right += self.text(&date, detail, right_x, HALF_W, right + 2.0);
        }

        self.y = left.max(right) + 8.0;
        self.rect(MARGIN, self.y, CONTENT_W, 0.75, RULE);
        self.y += 8.0;

        // The customer or supplier.
        let label = Style::new(Weight::Bold, 8.0).color(GREY);
        self.y += self.text(labels.party, label, MARGIN, HALF_W, self.y);
        let name = Style::new(Weight::Bold, 11.0).lines(2);
        self.y += self.text(&bill.party_name, name, MARGIN, HALF_W, self.y);
        if let Some(phone) = non_blank(&bill.party_phone) {
            self.y += self.text(&format!("Phone: {phone}"), BODY, MARGIN, HALF_W, self.y);
        }
        if let Some(address) = non_blank(&bill.party_address) {
            self.y += self.text(address, BODY.lines(4), MARGIN, HALF_W, self.y);
        }
        self.y += 10.0;
        self.table_header();
    }

    fn next_page(&mut self, with_table_header: bool) {
        self.pages.push(std::mem::take(&mut self.ops));
        let labels = self.labels;
        let shop_style = Style::new(Weight::Bold, 11.0);
        let shop = self.text(self.shop_name, shop_style, MARGIN, HALF_W, MARGIN);
        let continued = format!("{} {} (continued)", labels.title, labels.number);
        let right_x = MARGIN + CONTENT_W - HALF_W;
        let style = BODY.color(GREY).align(Align::Right);
        let bill = self.text(&continued, style, right_x, HALF_W, MARGIN + 2.0);
        self.y = MARGIN + shop.max(bill + 2.0) + 6.0;
        self.rect(MARGIN, self.y, CONTENT_W, 0.75, RULE);
        self.y += 8.0;
        if with_table_header {
            self.table_header();
        }
    }

    fn table_header(&mut self) {
        let h = BODY.line_height() + 2.0 * CELL_PAD_Y;
        let y = self.y;
        self.rect(MARGIN, y, CONTENT_W, h, HEADER_BG);
        let labels = self.labels;
        let cells = [
            ("#", COL_NO_W, Align::Right),
            ("Item", COL_ITEM_W, Align::Left),
            ("Qty", COL_QTY_W, Align::Right),
            (labels.rate.as_str(), COL_RATE_W, Align::Right),
            (labels.amount.as_str(), COL_AMOUNT_W, Align::Right),
        ];
        let mut x = MARGIN;
        for (label, w, align) in cells {
            let line = self.one_line(label, BODY_BOLD, w - 2.0 * CELL_PAD_X);
            let style = BODY_BOLD.align(align);
            self.place(
                vec![line],
                style,
                x + CELL_PAD_X,
                w - 2.0 * CELL_PAD_X,
                y + CELL_PAD_Y,
            );
            x += w;
        }
        self.y += h;
    }

    fn row(&mut self, number: usize, line: &BillLine) {
        let inner = |w: f32| w - 2.0 * CELL_PAD_X;
        let numeric = BODY.align(Align::Right);
        let name = self.wrap(&line.product, BODY.lines(MAX_NAME_LINES), inner(COL_ITEM_W));
        // Under the name: the expiry, and the line's tax code and rate when it has its own.
        let mut notes = Vec::new();
        if let Some(date) = line.expires_on {
            notes.push(format!("Expires {date}"));
        }
        if let Some(code) = &line.tax_code {
            notes.push(format!("HSN/SAC {code}"));
        }
        if let Some(rate) = line.tax_rate_bp {
            notes.push(format!("Tax {}%", percent(rate)));
        }
        let expiry = if notes.is_empty() {
            Vec::new()
        } else {
            self.wrap(&notes.join(" · "), SMALL, inner(COL_ITEM_W))
        };
        let bare = &self.labels.bare;
        let numbers = [
            (number.to_string(), MARGIN, COL_NO_W),
            (
                quantity_text(line),
                MARGIN + COL_NO_W + COL_ITEM_W,
                COL_QTY_W,
            ),
            (
                rate_text(line, bare),
                PAGE_W - MARGIN - COL_AMOUNT_W - COL_RATE_W,
                COL_RATE_W,
            ),
            (
                bare.format(line.line_total),
                PAGE_W - MARGIN - COL_AMOUNT_W,
                COL_AMOUNT_W,
            ),
        ]
        .map(|(text, x, w)| (self.one_line(&text, numeric, inner(w)), x, w));

        let item_h =
            name.len() as f32 * BODY.line_height() + expiry.len() as f32 * SMALL.line_height();
        let h = item_h.max(BODY.line_height()) + 2.0 * CELL_PAD_Y;
        if self.y + h > BODY_BOTTOM {
            self.next_page(true);
        }
        let top = self.y + CELL_PAD_Y;
        for (text, x, w) in numbers {
            self.place(vec![text], numeric, x + CELL_PAD_X, inner(w), top);
        }
        let item_x = MARGIN + COL_NO_W + CELL_PAD_X;
        let name_h = self.place(name, BODY, item_x, inner(COL_ITEM_W), top);
        self.place(expiry, SMALL, item_x, inner(COL_ITEM_W), top + name_h);
        self.y += h;
        self.rect(MARGIN, self.y - 0.5, CONTENT_W, 0.5, RULE);
    }

    fn totals(&mut self) {
        let (bill, currency) = (self.bill, self.currency);
        let normal = Style::new(Weight::Regular, 10.0).align(Align::Right);
        let strong = Style::new(Weight::Bold, 11.0).align(Align::Right);
        let rates = bill.tax_summary();
        let rows = 2.0 + rates.len() as f32;
        if self.y + 12.0 + rows * (strong.line_height() + 2.0) > BODY_BOTTOM {
            self.next_page(false);
        }
        self.y += 6.0;
        // Labels under quantity and rate, amounts under amount (a little wider, for the symbol
        // and crores).
        let value_w = COL_AMOUNT_W + 36.0;
        let value_x = MARGIN + CONTENT_W - value_w;
        let label_x = MARGIN + CONTENT_W - COL_AMOUNT_W - COL_RATE_W - COL_QTY_W;
        let label_w = value_x - label_x - CELL_PAD_X;
        let row = |p: &mut Pager<'_>, label: &str, amount: Money, style: Style| {
            let a = p.text(label, style, label_x, label_w, p.y);
            let value_w = value_w - CELL_PAD_X;
            let amount = p.one_line(&currency.format(amount), style, value_w);
            let b = p.place(vec![amount], style, value_x, value_w, p.y);
            p.y += a.max(b) + 2.0;
        };
        row(self, "Subtotal", bill.subtotal, normal);
        // One line per rate, as GST invoices show it: the taxable value and its tax.
        if let [only] = rates.as_slice() {
            let label = if only.rate_bp == bill.tax_rate_bp {
                self.labels.tax.clone()
            } else {
                format!("Tax ({}%)", percent(only.rate_bp))
            };
            row(self, &label, only.tax, normal);
        } else {
            for rate in &rates {
                let label = format!(
                    "Tax ({}%) on {}",
                    percent(rate.rate_bp),
                    currency.format(rate.taxable)
                );
                row(self, &label, rate.tax, normal);
            }
        }
        self.rect(label_x, self.y, MARGIN + CONTENT_W - label_x, 1.0, BLACK);
        self.y += 4.0;
        row(self, "Total", bill.total, strong);
    }

    /// Closes the last page and puts "Page i of n" at the foot of every page.
    fn finish(mut self) -> Vec<Vec<Op>> {
        self.pages.push(std::mem::take(&mut self.ops));
        let count = self.pages.len();
        for (i, page) in self.pages.iter_mut().enumerate() {
            let text = format!("Page {} of {count}", i + 1);
            let line = self.fonts.shape(&text, Weight::Regular, 8.0);
            page.push(Op::Text {
                x: MARGIN + (CONTENT_W - line.width) / 2.0,
                baseline: PAGE_H - MARGIN + 4.0,
                line,
                color: GREY,
            });
        }
        self.pages
    }
}

/// A line's quantity as the invoice prints it, in the unit the shop reads (`1.5 kg` for loose
/// goods kept in grams, `3 pcs`), or the bare number when the product has no unit.
pub(super) fn quantity_text(line: &BillLine) -> String {
    let measure = line.measure();
    let number = measure.number(line.quantity);
    match measure.shown_unit().trim() {
        "" => number,
        unit => format!("{number} {unit}"),
    }
}

/// A line's rate in `currency` (the invoice's column names the currency, so it passes one
/// without a symbol): per kg (per L) for loose goods kept in grams (millilitres), as stored.
pub(super) fn rate_text(line: &BillLine, currency: &Currency) -> String {
    line.measure().price(currency.format(line.unit_price))
}

/// Every page of the invoice as drawing operations.
pub(super) fn layout(
    fonts: &Fonts,
    shop_name: &str,
    bill: &Bill,
    currency: &Currency,
    labels: &Labels,
) -> Vec<Vec<Op>> {
    let mut pager = Pager {
        fonts,
        shop_name,
        bill,
        currency,
        labels,
        pages: Vec::new(),
        ops: Vec::new(),
        y: MARGIN,
    };
    pager.first_page();
    for (i, line) in bill.lines.iter().enumerate() {
        pager.row(i + 1, line);
    }
    pager.totals();
    pager.finish()
}

// ---------------------------------------------------------------------------------------------
// Drawing
// ---------------------------------------------------------------------------------------------

fn fill(color: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

pub(super) fn draw(surface: &mut Surface<'_>, fonts: &Fonts, op: &Op) {
    match op {
        Op::Text {
            x,
            baseline,
            line,
            color,
        } => {
            surface.set_fill(Some(fill(*color)));
            let mut x = *x;
            for run in &line.runs {
                surface.draw_glyphs(
                    Point::from_xy(x, *baseline),
                    &run.glyphs,
                    fonts.faces[run.face].pdf.clone(),
                    &run.text,
                    line.size,
                    false,
                );
                x += run.width;
            }
        }
        Op::Rect { x, y, w, h, color } => {
            let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                return;
            };
            let mut builder = PathBuilder::new();
            builder.push_rect(rect);
            if let Some(path) = builder.finish() {
                surface.set_fill(Some(fill(*color)));
                surface.draw_path(&path);
            }
        }
    }
}
