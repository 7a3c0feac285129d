//! The shop's printouts as PDFs: the A4 invoice (or credit note) of a recorded [`Bill`], the
//! 80 mm till receipt of a sale ([`receipt`]), and sheets of shelf labels ([`labels`]).
//!
//! Text is shaped with rustybuzz (see [`shaping`]) and drawn with krilla, which subsets and
//! embeds the fonts and writes a ToUnicode map, so the text in the PDF can be searched and
//! copied. Amounts are printed as stored: the renderer does no arithmetic, so the PDF always
//! agrees with the bill page. Layout happens first, as a list of drawing operations per page
//! (so every page can say "Page i of n"); then the PDF is written.

pub mod labels;
mod layout;
pub mod receipt;
mod shaping;

use std::borrow::Cow;

use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::Document;

use crate::domain::bill::{Bill, BillKind};
use crate::domain::calendar::{LocalTime, Zone};
use crate::domain::tax::percent;
use crate::domain::Currency;
use crate::server::zone::ShopZone;
use layout::{draw, layout, PAGE_H, PAGE_W};
use shaping::FONTS;

/// Renders `bill` as an A4 PDF invoice of `shop_name`, on as many pages as its lines need, its
/// date and time (printed and in the metadata, with the offset) in the shop's `zone`.
///
/// Never panics on what the bill holds (any text, any amounts), and is deterministic: the same
/// bill gives the same bytes. Takes about 10 ms in a release build: call it from a blocking task.
pub fn render(shop_name: &str, bill: &Bill, currency: &Currency, zone: &ShopZone) -> Vec<u8> {
    let labels = Labels::new(bill, currency, zone);
    let pages = layout(&FONTS, shop_name, bill, currency, &labels);

    let title = format!("{} {}", labels.title, labels.number);
    let sized = pages
        .into_iter()
        .map(|ops| (PAGE_W, PAGE_H, ops))
        .collect::<Vec<_>>();
    write(&sized, &title, shop_name, zone.local(bill.created_at))
}

/// Writes pages of drawing operations (each with its width and height in points) as a PDF.
fn write(
    pages: &[(f32, f32, Vec<layout::Op>)],
    title: &str,
    author: &str,
    at: Option<LocalTime>,
) -> Vec<u8> {
    let fonts = &*FONTS;
    let mut metadata = Metadata::new()
        .title(printable(title, false).into_owned())
        .authors(vec![printable(author, false).into_owned()])
        .creator("Stockroom".to_owned());
    if let Some(date) = at.and_then(pdf_date) {
        metadata = metadata.creation_date(date);
    }
    let mut document = Document::new();
    document.set_metadata(metadata);
    for (width, height, ops) in pages {
        // Sizes come from our own constants and layouts: always positive and finite.
        let settings = PageSettings::from_wh(*width, *height).unwrap_or_else(|| {
            PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 is a valid page size")
        });
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, fonts, op);
        }
        surface.finish();
        page.finish();
    }
    // Without a validator (PDF/A, PDF/UA) krilla reports errors only for fonts it cannot read
    // or subset. Ours are compiled in and known good (the tests render them), so no bill's
    // content can make this fail.
    document
        .finish()
        .expect("krilla writes PDFs with the bundled fonts")
}

/// The bill's local date and time as PDF metadata, with its offset from UTC (`+05'30`).
/// The PDF carries the offset's sign on its hours, so an offset under an hour west of UTC
/// (none is in use today) would read as east.
fn pdf_date(local: LocalTime) -> Option<DateTime> {
    let (year, month, day) = local.day().ymd();
    let (hour, minute, second) = local.hms();
    let offset = local.offset_secs();
    Some(
        DateTime::new(u16::try_from(year).ok()?)
            .month(month)
            .day(day)
            .hour(hour)
            .minute(minute)
            .second(second)
            .utc_offset_hour(i8::try_from(offset / 3_600).ok()?)
            .utc_offset_minute(u8::try_from(offset.unsigned_abs() % 3_600 / 60).ok()?),
    )
}

/// Text with control characters (NUL, tabs, escapes ...) replaced by spaces; with
/// `keep_newlines`, `\n` stays and starts a new line.
fn printable(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unwanted = |c: char| c.is_control() && !(keep_newlines && c == '\n');
    if text.contains(unwanted) {
        Cow::Owned(
            text.chars()
                .map(|c| if unwanted(c) { ' ' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// `text`, unless it is missing or shows nothing (only spaces and control characters).
fn non_blank(text: &Option<String>) -> Option<&str> {
    text.as_deref()
        .filter(|t| !t.chars().all(|c| c.is_whitespace() || c.is_control()))
}

/// The words printed around the bill's own data.
struct Labels {
    title: &'static str,
    party: &'static str,
    number: String,
    date: String,
    tax: String,
    rate: String,
    amount: String,
    /// The currency without its symbol, for the table, whose headers name it instead.
    bare: Currency,
}

impl Labels {
    fn new(bill: &Bill, currency: &Currency, zone: &ShopZone) -> Labels {
        let (title, party) = match bill.kind {
            BillKind::Sale => ("Tax invoice", "Bill to"),
            BillKind::Purchase => ("Purchase bill", "Supplier"),
            BillKind::SaleReturn => ("Credit note", "Credit to"),
            BillKind::PurchaseReturn => ("Credit note (goods returned to supplier)", "Supplier"),
        };
        let symbol = printable(&currency.symbol, false).trim().to_owned();
        let header = |name: &str| match symbol.as_str() {
            "" => name.to_owned(),
            symbol => format!("{name} ({symbol})"),
        };
        Labels {
            title,
            party,
            number: bill.number(),
            date: zone.show(bill.created_at),
            tax: format!("Tax ({}%)", percent(bill.tax_rate_bp)),
            rate: header("Rate"),
            amount: header("Amount"),
            bare: Currency {
                code: currency.code.clone(),
                symbol: String::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bill::BillLine;
    use crate::domain::Money;

    fn line(product: &str, quantity: i64, unit_price: i64) -> BillLine {
        BillLine {
            line_id: 1,
            product_id: 1,
            product: product.into(),
            unit: "pcs".into(),
            loose: false,
            quantity,
            unit_price: Money::from_minor(unit_price),
            line_total: Money::from_minor(quantity.saturating_mul(unit_price)),
            expires_on: None,
            tax_rate_bp: None,
            tax_code: None,
            tax: None,
        }
    }

    fn bill(kind: BillKind, lines: Vec<BillLine>) -> Bill {
        let subtotal = lines
            .iter()
            .fold(0_i64, |sum, l| sum.saturating_add(l.line_total.minor()));
        let tax = crate::domain::tax::tax_on(Money::from_minor(subtotal), 500);
        Bill {
            id: 42,
            kind,
            party_id: None,
            party_name: "श्रीमती प्रिया वर्मा (Priya Verma)".into(),
            party_phone: Some("+91 94140 55555".into()),
            party_address: Some("फ्लैट 4बी, मालवीय नगर\nJaipur, Rajasthan 302017".into()),
            subtotal: Money::from_minor(subtotal),
            tax_rate_bp: 500,
            tax,
            total: Money::from_minor(subtotal.saturating_add(tax.minor())),
            created_at: 1_795_000_000,
            created_by: "owner".into(),
            lines,
            original_bill_id: None,
            reason: None,
            returns: Vec::new(),
            added: Vec::new(),
        }
    }

    fn lines(count: usize) -> Vec<BillLine> {
        let names = [
            "चाय मसाला 50g",
            "Parle-G Biscuit 800g",
            "क्षत्रिय ब्रांड हल्दी पाउडर 200g",
        ];
        (0..count)
            .map(|i| {
                line(
                    names[i % names.len()],
                    (i % 7 + 1) as i64,
                    1_250 + i as i64 * 3_725,
                )
            })
            .collect()
    }

    fn pages(bill: &Bill) -> usize {
        let currency = Currency::default();
        let labels = Labels::new(bill, &currency, &ShopZone::utc());
        layout(&FONTS, "Sharma Kirana Store", bill, &currency, &labels).len()
    }

    fn render_ok(shop_name: &str, bill: &Bill, currency: &Currency) {
        let pdf = render(shop_name, bill, currency, &ShopZone::default());
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
    }

    #[test]
    fn a_short_bill_is_a_one_page_pdf() {
        let bill = bill(BillKind::Sale, lines(3));
        assert_eq!(pages(&bill), 1);
        render_ok("Sharma Kirana Store", &bill, &Currency::default());
    }

    #[test]
    fn long_names_and_devanagari_render() {
        let long: String = "Tata Sampann Unpolished Toor Dal (Arhar) Premium "
            .repeat(5)
            .chars()
            .take(200)
            .collect();
        let mut lines = vec![line(&long, 1, 100), line("चाय मसाला 50g", 2, 4_500)];
        lines[1].expires_on = crate::domain::Day::parse("2026-12-31").ok();
        render_ok(
            "शर्मा किराना स्टोर",
            &bill(BillKind::Purchase, lines),
            &Currency::default(),
        );
    }

    #[test]
    fn many_lines_spill_onto_more_pages() {
        let bill = bill(BillKind::Sale, lines(120));
        assert!(pages(&bill) >= 3);
        render_ok("Shop", &bill, &Currency::default());
    }

    #[test]
    fn the_same_bill_gives_the_same_bytes() {
        let bill = bill(BillKind::Sale, lines(5));
        let currency = Currency::default();
        let zone = ShopZone::default();
        assert_eq!(
            render("Shop", &bill, &currency, &zone),
            render("Shop", &bill, &currency, &zone)
        );
    }

    #[test]
    fn a_bill_without_lines_or_party_details_still_renders() {
        let mut bill = bill(BillKind::Purchase, Vec::new());
        bill.party_name = String::new();
        bill.party_phone = None;
        bill.party_address = Some("   ".into());
        assert_eq!(pages(&bill), 1);
        render_ok("", &bill, &Currency::default());
    }

    #[test]
    fn hostile_text_and_extreme_numbers_never_panic() {
        let nasty = "<script>alert('x')</script>\0\u{7}\u{1b}[31m\r\n\t\u{85}\u{202E}evil\u{202C} \
                     שלום مرحبا 👍🏽 Z\u{0301}\u{0302}\u{0303}\u{0304} \u{FFFF}\u{E000} क्\u{200D}";
        let huge_word = "क्ष".repeat(50_000) + &"W".repeat(50_000);
        let mut lines = vec![
            line(nasty, i64::MAX, i64::MAX),
            line(&huge_word, i64::MIN, i64::MIN),
            line("", 0, 0),
            line(" \n\t ", -5, -1),
            line(&format!("{nasty}\n").repeat(50), 1, 1),
        ];
        lines[0].unit = nasty.repeat(3);
        lines[1].unit = String::new();
        // (An expiry date is a `Day`: no text can get into it.)
        lines[2].expires_on = crate::domain::Day::parse("2199-12-31").ok();
        let mut bill = bill(BillKind::Sale, lines);
        bill.party_name = nasty.repeat(20);
        bill.party_phone = Some("\0".repeat(100));
        bill.party_address = Some("\n".repeat(10_000) + nasty);
        bill.tax_rate_bp = u32::MAX;
        (bill.subtotal, bill.tax, bill.total) = (
            Money::from_minor(i64::MIN),
            Money::from_minor(i64::MAX),
            Money::from_minor(-1),
        );
        for created_at in [i64::MIN, -1, i64::MAX] {
            bill.created_at = created_at;
            render_ok(nasty, &bill, &Currency::default());
        }
        for symbol in ["", "\0<b>", "US$", "€"] {
            let currency = Currency {
                code: nasty.into(),
                symbol: symbol.into(),
            };
            render_ok(&huge_word, &bill, &currency);
        }
    }

    #[test]
    fn labels_follow_the_kind_of_bill_and_the_currency() {
        let sale = bill(BillKind::Sale, Vec::new());
        let labels = Labels::new(&sale, &Currency::default(), &ShopZone::utc());
        assert_eq!((labels.title, labels.party), ("Tax invoice", "Bill to"));
        assert_eq!(labels.number, "S-000042");
        assert_eq!(
            (labels.tax.as_str(), labels.rate.as_str()),
            ("Tax (5%)", "Rate (₹)")
        );
        assert_eq!(
            labels.bare.format(Money::from_minor(12_345_678)),
            "1,23,456.78"
        );

        let mut purchase = bill(BillKind::Purchase, Vec::new());
        purchase.tax_rate_bp = 1_250;
        let dollars = Currency {
            code: "USD".into(),
            symbol: " $ ".into(),
        };
        let labels = Labels::new(&purchase, &dollars, &ShopZone::utc());
        assert_eq!((labels.title, labels.party), ("Purchase bill", "Supplier"));
        assert_eq!(
            (labels.tax.as_str(), labels.amount.as_str()),
            ("Tax (12.5%)", "Amount ($)")
        );
        assert_eq!(
            labels.bare.format(Money::from_minor(12_345_678)),
            "123,456.78"
        );
    }

    #[test]
    fn the_date_is_the_shops_wall_clock_printed_and_in_the_metadata_with_its_offset() {
        // 2026-01-31 19:00 UTC: half past midnight on 1 February in India.
        let mut sale = bill(BillKind::Sale, lines(1));
        sale.created_at = 1_769_886_000;
        let india = ShopZone::named("Asia/Kolkata").unwrap();
        let labels = Labels::new(&sale, &Currency::default(), &india);
        assert_eq!(labels.date, "2026-02-01 00:30");
        let pdf = render("Shop", &sale, &Currency::default(), &india);
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains("D:20260201003000+05'30"),
            "creation date in India"
        );
        let newfoundland = ShopZone::named("America/St_Johns").unwrap();
        let pdf = render("Shop", &sale, &Currency::default(), &newfoundland);
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains("D:20260131153000-03'30"),
            "creation date in St. John's"
        );
    }

    #[test]
    fn loose_goods_read_in_kilograms_at_a_price_per_kilogram() {
        // 1.5 kg of rice at ₹145.00 / kg, kept as 1,500 g and 14,500 paise per kg.
        let mut rice = line("Sona Masoori Rice", 1_500, 14_500);
        (rice.unit, rice.loose) = ("g".into(), true);
        rice.line_total = Money::from_minor(21_750);
        let currency = Currency::default();
        assert_eq!(super::layout::quantity_text(&rice), "1.5 kg");
        assert_eq!(super::layout::rate_text(&rice, &currency), "₹145.00 / kg");
        assert_eq!(
            super::receipt::line_detail(&rice, &currency),
            "1.5 kg × ₹145.00 / kg"
        );
        // Packaged goods read as before; a unit of blanks prints the bare number.
        let tea = line("Tea", 3, 4_500);
        assert_eq!(super::layout::quantity_text(&tea), "3 pcs");
        assert_eq!(super::layout::rate_text(&tea, &currency), "₹45.00");
        assert_eq!(
            super::receipt::line_detail(&tea, &currency),
            "3 pcs × ₹45.00"
        );
        let mut blank = line("Loose", 2, 100);
        blank.unit = " ".into();
        assert_eq!(super::layout::quantity_text(&blank), "2");
        let bill = bill(BillKind::Sale, vec![rice, tea]);
        render_ok("Shop", &bill, &currency);
        let receipt = super::receipt::render("Shop", &bill, &currency, &ShopZone::utc());
        assert!(receipt.starts_with(b"%PDF-"));
    }

    #[test]
    fn percentages_drop_trailing_zeros() {
        for (bp, text) in [
            (1_800, "18"),
            (0, "0"),
            (1_000, "10"),
            (1_250, "12.5"),
            (5, "0.05"),
        ] {
            assert_eq!(percent(bp), text, "{bp}");
        }
    }

    /// Writes `$TMPDIR/invoice-sample.pdf` to look at (`pdftoppm -png -r 70`).
    #[test]
    #[ignore = "writes a file; run with --ignored to look at a sample"]
    fn write_a_sample_to_look_at() {
        let mut lines = lines(30);
        lines[1].product = "Tata Sampann Unpolished Toor Dal (Arhar) Premium Quality Family Pack \
                            with Extra Protein, Naturally Sorted and Machine Cleaned, Best Before \
                            Twelve Months from Packing, Combo Offer Pack Extra Extra Extra"
            .into();
        lines[3].expires_on = crate::domain::Day::parse("2026-12-31").ok();
        lines[4].quantity = 123_456_789_012;
        lines[4].line_total = Money::from_minor(987_654_321_098_765);
        let bill = bill(BillKind::Sale, lines);
        let pdf = render(
            "शर्मा किराना स्टोर / Sharma Kirana Store",
            &bill,
            &Currency::default(),
            &ShopZone::default(),
        );
        let path = std::env::temp_dir().join("invoice-sample.pdf");
        std::fs::write(&path, pdf).expect("the temporary directory is writable");
        eprintln!("wrote {}", path.display());
    }
}
