//! CSV files both ways, with the `csv` crate: writing export rows (and the catalogue's row of
//! a product, which the import reads back), and reading an uploaded file as people have them:
//! UTF-8 with or without a byte-order mark or Windows-1252 (detected), comma, semicolon or tab
//! between cells (detected), quoted cells with line breaks.

use crate::domain::import::{Problem, MAX_ROWS};
use crate::domain::spreadsheet::guard;
use crate::domain::tax::percent;
use crate::domain::{Measure, Money, Product};
use axum::body::Bytes;

/// One CSV row, each cell already formatted.
pub type Row = Vec<String>;

/// Excel reads a CSV file as the machine's code page unless it starts with a byte-order mark;
/// with it, Devanagari names open as written. The import takes files with or without one.
const BOM: &str = "\u{feff}";

/// The most columns an uploaded file may have.
pub const MAX_COLUMNS: usize = 100;

/// The catalogue's columns, as the inventory export writes them and the import reads them;
/// `average_cost` (managers only) reads back as the unit cost of the quantity. As on screen, a
/// loose product kept in `g` (`ml`) has its `quantity` and limits in kg (L) and its prices per
/// kg (per L); `unit` stays the stored one, so the file reads back the same.
pub static CATALOGUE: [&str; 11] = [
    "name",
    "sku",
    "unit",
    "loose",
    "quantity",
    "selling_price",
    "tax_rate",
    "tax_code",
    "lower_limit",
    "upper_limit",
    "average_cost",
];

/// The catalogue's header, without the cost for someone who may not see it.
pub fn catalogue_header(with_cost: bool) -> &'static [&'static str] {
    if with_cost {
        &CATALOGUE
    } else {
        &CATALOGUE[..CATALOGUE.len() - 1]
    }
}

/// A text cell, guarded against formula injection (see [`guard`]).
pub fn text(value: &str) -> String {
    guard(value).into_owned()
}

/// An optional quantity in `measure`'s shown unit (`43.75` for 43,750 g sold loose): empty
/// when there is none.
pub fn quantity(measure: &Measure, value: Option<i64>) -> String {
    value.map(|n| measure.number(n)).unwrap_or_default()
}

/// A product as a catalogue row (see [`CATALOGUE`]).
pub fn catalogue_row(p: &Product, with_cost: bool) -> Row {
    let measure = p.measure();
    let mut row = vec![
        text(&p.name),
        text(p.sku.as_deref().unwrap_or_default()),
        text(&p.unit),
        if p.loose { "yes" } else { "no" }.to_owned(),
        measure.number(p.quantity),
        p.selling_price.to_plain(),
        p.tax_rate_bp.map(percent).unwrap_or_default(),
        text(p.tax_code.as_deref().unwrap_or_default()),
        quantity(&measure, p.lower_limit),
        quantity(&measure, p.upper_limit),
    ];
    if with_cost {
        row.push(p.average_cost.map(Money::to_plain).unwrap_or_default());
    }
    row
}

/// Rows as CSV text; a file's first chunk (with its `header`) starts with a byte-order mark.
pub fn encode(header: Option<&[&str]>, rows: &[Row]) -> Result<Bytes, csv::Error> {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    if let Some(header) = header {
        writer.write_record(header)?;
    }
    for row in rows {
        writer.write_record(row)?;
    }
    let mut bytes = writer.into_inner().map_err(|e| e.into_error())?;
    if header.is_some() {
        bytes.splice(0..0, BOM.bytes());
    }
    Ok(Bytes::from(bytes))
}

/// A whole-file problem (line 0: shown as its message alone).
fn refuse(message: &str) -> Problem {
    Problem::new(0, "", message)
}

/// The file as text: UTF-8 (a byte-order mark dropped) when it is valid UTF-8, otherwise
/// Windows-1252, as Excel on Windows saves "CSV (Comma delimited)". UTF-16 and files with NUL
/// bytes are not CSV text and are refused with how to save one.
pub fn decode(bytes: &[u8]) -> Result<String, Problem> {
    const SAVE_AS: &str = "Save the sheet as \"CSV UTF-8 (Comma delimited)\" and check it again";
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(refuse(&format!(
            "This file is UTF-16, not CSV text. {SAVE_AS}"
        )));
    }
    if bytes.contains(&0) {
        return Err(refuse(&format!(
            "This file holds NUL bytes: it is not CSV text. {SAVE_AS}"
        )));
    }
    let bytes = bytes.strip_prefix(BOM.as_bytes()).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => {
            let (text, _, had_errors) = encoding_rs::WINDOWS_1252.decode(bytes);
            if had_errors {
                return Err(refuse(&format!(
                    "This file's characters could not be read. {SAVE_AS}"
                )));
            }
            Ok(text.into_owned())
        }
    }
}

/// The cell delimiter of `text`: whichever of `,` `;` tab appears most in its first line
/// (outside quotes); a comma when none does.
pub fn delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in text.bytes() {
        match c {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(entry) = counts.iter_mut().find(|(d, _)| *d == c) {
                    entry.1 += 1;
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .fold(
            (b',', 0),
            |best, &(d, n)| if n > best.1 { (d, n) } else { best },
        )
        .0
}

/// The file's rows of cells, each with its line as a spreadsheet numbers it (the header is 1).
pub fn records(bytes: &[u8]) -> Result<Vec<(u64, Vec<String>)>, Problem> {
    let text = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(refuse("The file is empty"));
    }
    // Quotes inside a quoted cell are doubled, so a well-formed file has an even number; an
    // odd one leaves a cell open to the end of the file (the reader would take it whole).
    if !text
        .bytes()
        .filter(|b| *b == b'"')
        .count()
        .is_multiple_of(2)
    {
        return Err(refuse(
            "A quote (\") is opened and never closed: check the cell that starts with one",
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(&text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|_| refuse("The file could not be read as CSV"))?;
        if record.len() > MAX_COLUMNS {
            return Err(refuse(&format!(
                "Line {}: the file has more than {MAX_COLUMNS} columns",
                i + 1
            )));
        }
        if rows.len() > MAX_ROWS {
            return Err(refuse(&format!(
                "The file has more than {MAX_ROWS} products; split it into smaller files"
            )));
        }
        rows.push((i as u64 + 1, record.iter().map(str::to_owned).collect()));
    }
    Ok(rows)
}

#[cfg(test)]
#[path = "csv_format_tests.rs"]
mod tests;
