use super::*;
use crate::domain::import::{check, Header};
use crate::domain::Name;
use proptest::prelude::*;

fn strings(row: &[&str]) -> Vec<String> {
    row.iter().map(|c| (*c).to_owned()).collect()
}

#[test]
fn the_delimiter_is_the_one_the_header_uses() {
    assert_eq!(delimiter("name,sku\nA;B;C"), b',');
    assert_eq!(delimiter("name;selling_price;unit\n\"a,b\";1,50;pcs"), b';');
    assert_eq!(delimiter("name\tsku\n"), b'\t');
    assert_eq!(
        delimiter("\"a;b;c\",x\n"),
        b',',
        "quoted cells do not count"
    );
    assert_eq!(delimiter("name\n"), b',');
}

#[test]
fn files_in_utf8_with_or_without_a_bom_and_in_windows_1252_read_alike() {
    let plain = "name\nCafé\n";
    assert_eq!(decode(plain.as_bytes()).unwrap(), plain);
    assert_eq!(
        decode(format!("\u{feff}{plain}").as_bytes()).unwrap(),
        plain
    );
    // "Café" as Excel on Windows saves it: é is the single byte 0xE9.
    assert_eq!(decode(b"name\nCaf\xe9\n").unwrap(), plain);
    assert_eq!(decode(b"name\n\x80 5\n").unwrap(), "name\n€ 5\n");
    for hostile in [&b"\xff\xfen\0a\0m\0e\0"[..], b"name\nA\0B\n"] {
        let problem = decode(hostile).unwrap_err();
        assert!(problem.to_string().contains("CSV UTF-8"), "{problem}");
    }
}

#[test]
fn records_carry_their_spreadsheet_line_and_keep_quoted_line_breaks() {
    let file = "name;sku\n\"Rice\nLong\";A1\nDal;B2\n";
    let rows = records(file.as_bytes()).unwrap();
    assert_eq!(
        rows,
        [
            (1, strings(&["name", "sku"])),
            (2, strings(&["Rice\nLong", "A1"])),
            (3, strings(&["Dal", "B2"])),
        ]
    );
    assert!(records(b"").is_err());
    assert!(records(b" \n ").is_err());
    let wide = vec!["x"; MAX_COLUMNS + 1].join(",");
    assert!(records(wide.as_bytes())
        .unwrap_err()
        .to_string()
        .contains("columns"));
    let open = records(b"name\n\"Rice\nDal\n").unwrap_err();
    assert!(open.to_string().contains("never closed"), "{open}");
}

#[test]
fn more_rows_than_an_import_takes_are_refused() {
    let mut file = String::from("name\n");
    for n in 0..=MAX_ROWS {
        file.push_str(&format!("p{n}\n"));
    }
    let problem = records(file.as_bytes()).unwrap_err();
    assert!(problem.to_string().contains("50000"), "{problem}");
}

#[test]
fn loose_goods_kept_in_grams_are_written_in_kilograms_as_on_screen() {
    let rice = Product {
        id: 1,
        name: "Rice".into(),
        sku: None,
        unit: "g".into(),
        loose: true,
        quantity: 43_750,
        // Per kg, as stored.
        average_cost: Some(Money::from_minor(12_000)),
        selling_price: Money::from_minor(14_000),
        lower_limit: Some(5_000),
        upper_limit: Some(100_500),
        tax_rate_bp: None,
        tax_code: None,
    };
    assert_eq!(
        catalogue_row(&rice, true),
        strings(&["Rice", "", "g", "yes", "43.75", "140.00", "", "", "5", "100.5", "120.00"])
    );
    // And it reads back as the same grams.
    let bytes = encode(Some(catalogue_header(true)), &[catalogue_row(&rice, true)]).unwrap();
    let mut read = records(&bytes).unwrap().into_iter();
    let header = Header::parse(&read.next().unwrap().1).unwrap();
    let checked = check(&header, read);
    assert!(checked.problems.is_empty(), "{:?}", checked.problems);
    let row = &checked.rows[0];
    let draft = row.form.parse().unwrap();
    assert_eq!(
        (draft.lower_limit, draft.upper_limit),
        (Some(5_000), Some(100_500))
    );
    assert_eq!(
        row.opening.map(|o| (o.quantity, o.unit_cost)),
        Some((43_750, Money::from_minor(12_000)))
    );
    let pieces = Product {
        unit: "pcs".into(),
        loose: false,
        quantity: 12,
        lower_limit: Some(5),
        upper_limit: None,
        ..rice
    };
    let row = catalogue_row(&pieces, false);
    assert_eq!(
        (
            row[2].as_str(),
            row[4].as_str(),
            row[8].as_str(),
            row[9].as_str()
        ),
        ("pcs", "12", "5", "")
    );
}

/// A product as the import would leave it (a clean name, a real SKU, limits in order).
fn product() -> impl Strategy<Value = Product> {
    (
        "[=+@a-zA-Z0-9 ,\"'क-ह\\-]{1,24}",
        proptest::option::of("[A-Z0-9]{1,8}"),
        "(pcs|g|ml)",
        any::<bool>(),
        0i64..10_000,
        0i64..1_000_000,
        proptest::option::of(0u32..10_000),
        proptest::option::of(0i64..100),
        0i64..1_000_000,
    )
        .prop_filter_map(
            "names must be names",
            |(name, sku, unit, loose, quantity, price, tax, lower, cost)| {
                let name = Name::parse(&name).ok()?.as_str().to_owned();
                Some(Product {
                    id: 0,
                    name,
                    sku,
                    unit,
                    loose,
                    quantity,
                    average_cost: Some(Money::from_minor(cost)),
                    selling_price: Money::from_minor(price),
                    lower_limit: lower,
                    upper_limit: lower.map(|l| l + 5),
                    tax_rate_bp: tax,
                    tax_code: None,
                })
            },
        )
}

proptest! {
    #[test]
    fn any_cells_survive_writing_and_reading(
        cells in proptest::collection::vec("[a-z,;\"'\t\n=क-ह ]{0,12}", 1..6)
    ) {
        let header: Vec<String> = (0..cells.len()).map(|i| format!("c{i}")).collect();
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let bytes = encode(Some(&header), std::slice::from_ref(&cells)).unwrap();
        let rows = records(&bytes).unwrap();
        prop_assert_eq!(&rows[1].1, &cells);
    }

    #[test]
    fn a_catalogue_written_then_read_is_the_same_catalogue(
        products in proptest::collection::vec(product(), 1..8)
    ) {
        let mut seen = std::collections::HashSet::new();
        let products: Vec<Product> = products
            .into_iter()
            .filter(|p| {
                seen.insert(crate::domain::search::fold(&p.name))
                    && p.sku.as_ref().is_none_or(|s| seen.insert(format!("sku:{s}")))
            })
            .collect();
        let rows: Vec<Row> = products.iter().map(|p| catalogue_row(p, true)).collect();
        let bytes = encode(Some(catalogue_header(true)), &rows).unwrap();
        let mut read = records(&bytes).unwrap().into_iter();
        let header = Header::parse(&read.next().unwrap().1).unwrap();
        let checked = check(&header, read);
        prop_assert!(checked.problems.is_empty(), "{:?}", checked.problems);
        prop_assert_eq!(checked.rows.len(), products.len());
        for (row, p) in checked.rows.iter().zip(&products) {
            let draft = row.form.parse().unwrap();
            prop_assert_eq!(draft.name.as_str(), p.name.as_str());
            prop_assert_eq!(draft.sku.clone().flatten(), p.sku.clone());
            prop_assert_eq!(draft.unit.as_deref(), Some(p.unit.as_str()));
            prop_assert_eq!(draft.loose, p.loose);
            prop_assert_eq!(draft.selling_price, p.selling_price);
            prop_assert_eq!(draft.lower_limit, p.lower_limit);
            prop_assert_eq!(draft.upper_limit, p.upper_limit);
            prop_assert_eq!(draft.tax_rate_bp.flatten(), p.tax_rate_bp);
            let opening = row.opening.map(|o| (o.quantity, o.unit_cost));
            let want = (p.quantity > 0).then(|| (p.quantity, p.average_cost.unwrap()));
            prop_assert_eq!(opening, want);
        }
    }
}
