use super::*;

fn cells(row: &[&str]) -> Vec<String> {
    row.iter().map(|c| (*c).to_owned()).collect()
}

fn header(row: &[&str]) -> Header {
    Header::parse(&cells(row)).unwrap()
}

#[test]
fn header_names_are_read_whatever_their_case_and_unknown_ones_are_listed() {
    let h = header(&[
        "\u{feff}Name",
        " SKU ",
        "Selling Price",
        "colour",
        "Average_Cost",
    ]);
    assert_eq!(
        h.columns,
        [
            Some(Column::Name),
            Some(Column::Sku),
            Some(Column::SellingPrice),
            None,
            Some(Column::UnitCost)
        ]
    );
    assert_eq!(h.unknown, ["colour"]);
    let missing = Header::parse(&cells(&["sku", "unit"])).unwrap_err();
    assert_eq!(missing.column, "name");
    let twice = Header::parse(&cells(&["name", "NAME"])).unwrap_err();
    assert_eq!(twice.to_string(), "Line 1: name: This column appears twice");
}

#[test]
fn a_good_row_becomes_a_product_form_with_its_opening_stock() {
    let h = header(&[
        "name",
        "sku",
        "unit",
        "selling_price",
        "loose",
        "quantity",
        "unit_cost",
        "expires_on",
        "tax_rate",
    ]);
    let row = h
        .row(
            2,
            &cells(&[
                " बासमती चावल ",
                "8901",
                "g",
                "64.90",
                "yes",
                "0.5",
                "40.00",
                "2026-12-31",
                "5",
            ]),
        )
        .unwrap();
    assert_eq!(row.form.name, "बासमती चावल");
    assert_eq!(row.sku(), Some("8901"));
    assert_eq!(row.form.loose.as_deref(), Some("on"));
    assert!(row.has_price);
    let draft = row.form.parse().unwrap();
    assert_eq!(draft.selling_price, Money::from_minor(6_490));
    assert_eq!(draft.tax_rate_bp, Some(Some(500)));
    assert_eq!(
        row.opening,
        // Loose goods kept in grams come in kg, at a cost per kg.
        Some(Opening {
            quantity: 500,
            unit_cost: Money::from_minor(4_000),
            expires_on: Some(Day::parse("2026-12-31").unwrap()),
            value: Money::from_minor(2_000),
        })
    );
    let bare = header(&["name"]).row(3, &cells(&["Salt"])).unwrap();
    assert_eq!(
        (bare.opening, bare.has_price, bare.form.sku),
        (None, false, None)
    );
}

#[test]
fn every_problem_of_a_row_names_its_line_and_column() {
    let h = header(&[
        "name",
        "selling_price",
        "loose",
        "quantity",
        "unit_cost",
        "expires_on",
        "sku",
    ]);
    let problems: Vec<String> = h
        .row(
            7,
            &cells(&["", "12.345", "maybe", "-2", "abc", "31/12/2026", "a b"]),
        )
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "Line 7: loose: Write yes or no",
            "Line 7: name: Enter a name",
            "Line 7: selling_price: Use at most two digits after the decimal point",
            "Line 7: sku: Use letters, digits, and - _ . / only",
            "Line 7: quantity: Enter a whole number from 0, or leave it empty",
            "Line 7: unit_cost: Enter an amount like 12.50",
            "Line 7: expires_on: Enter a date like 2026-12-31",
        ]
    );
    let no_cost = h
        .row(8, &cells(&["Salt", "", "", "5", "", "", ""]))
        .unwrap_err();
    assert_eq!(
        no_cost[0].to_string(),
        "Line 8: unit_cost: Enter what one unit of the opening stock cost"
    );
}

#[test]
fn a_name_or_sku_twice_in_a_file_is_reported_on_its_second_line() {
    let h = header(&["name", "sku"]);
    let checked = check(
        &h,
        [
            (2, cells(&["Rice", "A1"])),
            (3, cells(&["RICE ", "B2"])),
            (4, cells(&["Dal", "A1"])),
            (5, cells(&["", ""])),
            (6, cells(&["Salt", ""])),
        ],
    );
    let problems: Vec<String> = checked.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "Line 3: name: The same name is on line 2",
            "Line 4: sku: The same SKU is on line 2",
        ]
    );
    let lines: Vec<u64> = checked.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 6], "blank lines are skipped");
}

#[test]
fn a_guarded_cell_from_an_export_reads_as_its_text() {
    let row = header(&["name"]).row(2, &cells(&["'=Cola"])).unwrap();
    assert_eq!(row.form.name, "=Cola");
}

#[test]
fn a_decimal_comma_is_a_decimal_point_and_a_thousands_comma_is_not() {
    assert_eq!(decimal_point("170,5"), "170.5");
    assert_eq!(decimal_point("0,40"), "0.40");
    assert_eq!(decimal_point("1,500"), "1,500");
    assert_eq!(decimal_point("12.50"), "12.50");
    let h = header(&["name", "selling_price", "unit_cost", "quantity"]);
    let row = h.row(2, &cells(&["Rice", "64,90", "1,500", "1"])).unwrap();
    assert_eq!(row.form.selling_price, "64.90");
    assert_eq!(row.opening.unwrap().unit_cost, Money::from_minor(150_000));
}
