//! The till receipt of a bill: an 80 mm-wide PDF, as tall as its lines need (thermal printers
//! cut the roll after it), with the shop's name, the bill's number and time, each line, the tax
//! per rate and the total. Amounts are printed as stored, as on the invoice.

use super::layout::{Op, Rgb, BLACK, GREY, RULE};
use super::shaping::{Fonts, Weight, FONTS};
use super::{printable, write};
use crate::domain::bill::{Bill, BillKind, BillLine};
use crate::domain::calendar::Zone;
use crate::domain::tax::percent;
use crate::domain::{Currency, Money};
use crate::server::zone::ShopZone;

/// The roll's width: 80 mm in points.
pub const WIDTH: f32 = 80.0 * 72.0 / 25.4;
const MARGIN: f32 = 10.0;
const CONTENT: f32 = WIDTH - 2.0 * MARGIN;
const GAP: f32 = 1.45;
const ASCENT: f32 = 1.05;

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

/// The receipt being laid out, top to bottom.
struct Roll<'a> {
    fonts: &'a Fonts,
    ops: Vec<Op>,
    y: f32,
}

impl Roll<'_> {
    /// Text wrapped to `width` at `x` (`(x, width)`), aligned; returns the height used.
    fn place(
        &mut self,
        text: &str,
        (weight, size): (Weight, f32),
        (x, width): (f32, f32),
        align: Align,
        color: Rgb,
    ) -> f32 {
        let lines = self
            .fonts
            .wrap(&printable(text, true), weight, size, width, 6);
        let mut y = self.y;
        for line in lines {
            let left = match align {
                Align::Left => x,
                Align::Center => x + (width - line.width).max(0.0) / 2.0,
                Align::Right => x + (width - line.width).max(0.0),
            };
            self.ops.push(Op::Text {
                x: left,
                baseline: y + size * ASCENT,
                line,
                color,
            });
            y += size * GAP;
        }
        y - self.y
    }

    /// A paragraph across the roll.
    fn para(&mut self, text: &str, weight: Weight, size: f32, align: Align) {
        self.y += self.place(text, (weight, size), (MARGIN, CONTENT), align, BLACK);
    }

    /// A label on the left and an amount on the right, on one line (the label wraps).
    fn pair(&mut self, label: &str, amount: &str, weight: Weight, size: f32, color: Rgb) {
        let amount_w = self.fonts.measure(amount, weight, size).min(CONTENT / 2.0);
        let label_w = CONTENT - amount_w - 6.0;
        let a = self.place(label, (weight, size), (MARGIN, label_w), Align::Left, color);
        let b = self.place(
            amount,
            (weight, size),
            (MARGIN, CONTENT),
            Align::Right,
            BLACK,
        );
        self.y += a.max(b);
    }

    fn rule(&mut self) {
        self.y += 3.0;
        self.ops.push(Op::Rect {
            x: MARGIN,
            y: self.y,
            w: CONTENT,
            h: 0.6,
            color: RULE,
        });
        self.y += 4.0;
    }
}

/// A line's quantity and unit price as the receipt prints them under its name, in the units
/// the shop reads: `1.5 kg × ₹145.00 / kg` for loose goods kept in grams, `3 pcs × ₹45.00`.
pub(super) fn line_detail(line: &BillLine, currency: &Currency) -> String {
    let measure = line.measure();
    format!(
        "{} × {}",
        measure.show(line.quantity),
        measure.price(currency.format(line.unit_price))
    )
}

/// Renders `bill` as an 80 mm receipt of `shop_name`.
pub fn render(shop_name: &str, bill: &Bill, currency: &Currency, zone: &ShopZone) -> Vec<u8> {
    let money = |m: Money| currency.format(m);
    let mut roll = Roll {
        fonts: &FONTS,
        ops: Vec::new(),
        y: MARGIN,
    };
    let title = if bill.kind.is_return() {
        "Credit note"
    } else {
        "Receipt"
    };
    roll.para(shop_name, Weight::Bold, 11.0, Align::Center);
    roll.para(
        &format!("{title} {}", bill.number()),
        Weight::Regular,
        8.0,
        Align::Center,
    );
    roll.para(
        &zone.show(bill.created_at),
        Weight::Regular,
        8.0,
        Align::Center,
    );
    if bill.kind == BillKind::Sale || bill.kind == BillKind::SaleReturn {
        roll.para(&bill.party_name, Weight::Regular, 8.0, Align::Center);
    }
    roll.rule();
    for line in &bill.lines {
        roll.para(&line.product, Weight::Regular, 8.5, Align::Left);
        let mut detail = format!("  {}", line_detail(line, currency));
        if let Some(code) = &line.tax_code {
            detail.push_str(&format!(" · HSN/SAC {code}"));
        }
        if let Some(rate) = line.tax_rate_bp {
            detail.push_str(&format!(" · {}%", percent(rate)));
        }
        roll.pair(&detail, &money(line.line_total), Weight::Regular, 8.0, GREY);
    }
    roll.rule();
    roll.pair(
        "Subtotal",
        &money(bill.subtotal),
        Weight::Regular,
        8.5,
        BLACK,
    );
    for rate in bill.tax_summary() {
        let label = format!("Tax {}% on {}", percent(rate.rate_bp), money(rate.taxable));
        roll.pair(&label, &money(rate.tax), Weight::Regular, 8.5, BLACK);
    }
    roll.y += 2.0;
    roll.pair("Total", &money(bill.total), Weight::Bold, 11.0, BLACK);
    roll.y += 6.0;
    roll.para("Thank you", Weight::Regular, 8.0, Align::Center);
    let height = roll.y + MARGIN;
    write(
        &[(WIDTH, height, roll.ops)],
        &format!("{title} {}", bill.number()),
        shop_name,
        zone.local(bill.created_at),
    )
}
