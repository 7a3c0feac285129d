//! Shop-scale and chain-scale data for benchmarks: `stockroom seed --products N --movements M`.
//!
//! The history is *simulated*, not invented row by row: two years of purchases and sales run
//! through the same domain rules the app uses (moving average cost, lots consumed
//! first-expiry-first-out, no sale beyond what is on hand), so every ledger invariant holds in
//! the result. The simulation runs in memory and is then written with large multi-row `INSERT`s
//! in one transaction, which is what makes a million movements take seconds rather than hours.
//! The same `--seed` gives the same data.

use crate::domain::bill::tax_on;
use crate::domain::ledger::{add_days, date_of};
use crate::domain::stock::{allocate, average_cost, LotStock};
use crate::domain::{search, Money};
use crate::server::storage::{Backend, Db, StorageError};
use sqlx::Row;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt::Write as _;

/// What to seed.
#[derive(Clone, Debug)]
pub struct Plan {
    pub products: usize,
    pub movements: usize,
    pub seed: u64,
    /// The end of the simulated history (Unix seconds); it starts two years earlier.
    pub now: i64,
    pub tax_rate_bp: u32,
}

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seeded {
    pub products: usize,
    pub bills: usize,
    pub bill_lines: usize,
    pub lots: usize,
    pub movements: usize,
}

const SPAN_DAYS: i64 = 730;
/// Expired stock stays on the shelf (and in the expiry list) this many days, then is written off.
const WRITE_OFF_AFTER_DAYS: i64 = 3;
/// Rows per SQLite `INSERT` statement.
const ROWS_PER_INSERT: usize = 2_000;

/// Why seeding did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seeding needs a database without products or bills (this one has {0} rows); use a fresh DATABASE_URL")]
    NotEmpty(i64),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for SeedError {
    fn from(error: sqlx::Error) -> Self {
        SeedError::Storage(error.into())
    }
}

/// Seeds the empty shop (no products, no bills) behind `db` (opened from `url`) with `plan`.
/// Refuses a shop that has data.
pub async fn seed(db: &Db, url: &str, plan: &Plan) -> Result<Seeded, SeedError> {
    let existing: i64 =
        sqlx::query("SELECT (SELECT COUNT(*) FROM products) + (SELECT COUNT(*) FROM bills) AS n")
            .fetch_one(db.pool())
            .await?
            .try_get("n")?;
    if existing > 0 {
        return Err(SeedError::NotEmpty(existing));
    }
    let user_id = seed_user(db, plan.now).await?;
    let started = std::time::Instant::now();
    let shop = simulate(plan, user_id);
    tracing::info!(elapsed = ?started.elapsed(), "simulated the history");
    write(db, url, &shop).await?;
    Ok(Seeded {
        products: shop.products.len(),
        bills: shop.bills.len(),
        bill_lines: shop.lines.len(),
        lots: shop.lots.len(),
        movements: shop.movements.len(),
    })
}

/// The first manager records the history; a shop without accounts gets an inactive author that
/// cannot sign in (its password hash is not a hash).
async fn seed_user(db: &Db, now: i64) -> Result<i64, StorageError> {
    let row = sqlx::query("SELECT MIN(id) AS id FROM users WHERE role = 'manager'")
        .fetch_one(db.pool())
        .await?;
    if let Some(id) = row.try_get::<Option<i64>, _>("id")? {
        return Ok(id);
    }
    Ok(sqlx::query(
        "INSERT INTO users (email, first_name, last_name, role, active, password_hash, created_at) \
         VALUES ('seed@stockroom.invalid', 'Seed', 'Data', 'staff', 0, '!', $1) RETURNING id",
    )
    .bind(now)
    .fetch_one(db.pool())
    .await?
    .try_get("id")?)
}

/// A small, fast, deterministic generator (SplitMix64): the data must not change between runs
/// or versions of a crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `low..=high`.
    fn range(&mut self, low: i64, high: i64) -> i64 {
        let span = u64::try_from(high - low + 1).unwrap_or(1).max(1);
        low + i64::try_from(self.next() % span).unwrap_or(0)
    }

    fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(len.max(1)).unwrap_or(1)).unwrap_or(0)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.index(items.len())]
    }
}

const BRANDS: [&str; 30] = [
    "Amul",
    "Tata",
    "Aashirvaad",
    "Fortune",
    "Britannia",
    "Parle",
    "Haldiram's",
    "MDH",
    "Everest",
    "Dabur",
    "Patanjali",
    "Nestlé",
    "Cadbury",
    "Surf Excel",
    "Colgate",
    "Lifebuoy",
    "Dettol",
    "Maggi",
    "Kissan",
    "Saffola",
    "Mother Dairy",
    "Nandini",
    "Catch",
    "Bru",
    "Red Label",
    "Lay's",
    "Kurkure",
    "Godrej",
    "Vim",
    "Himalaya",
];

/// Item, unit, loose, selling price per unit (minor units), shelf life in days (0 = keeps).
const ITEMS: [(&str, &str, bool, i64, i64); 32] = [
    ("Butter 500g", "pcs", false, 28_000, 120),
    ("Paneer 200g", "pcs", false, 9_000, 7),
    ("Curd 400g", "pcs", false, 4_500, 5),
    ("Milk 1L", "pcs", false, 6_800, 3),
    ("Bread", "pcs", false, 4_500, 4),
    ("Eggs (12)", "pcs", false, 8_400, 14),
    ("Basmati Rice", "g", true, 12, 0),
    ("Toor Dal", "g", true, 16, 0),
    ("Sugar", "g", true, 5, 0),
    ("Wheat Atta", "g", true, 5, 180),
    ("Groundnut Oil", "ml", true, 20, 270),
    ("Tea 250g", "pcs", false, 14_000, 365),
    ("Coffee 100g", "pcs", false, 22_000, 365),
    ("Biscuits", "pcs", false, 1_000, 180),
    ("Namkeen 200g", "pcs", false, 5_500, 120),
    ("Noodles", "pcs", false, 1_400, 270),
    ("Ketchup 500g", "pcs", false, 12_000, 365),
    ("Jam 500g", "pcs", false, 16_500, 365),
    ("Chocolate", "pcs", false, 4_000, 270),
    ("Garam Masala 100g", "pcs", false, 8_200, 365),
    ("Turmeric 200g", "pcs", false, 6_400, 365),
    ("Chilli Powder 200g", "pcs", false, 7_000, 365),
    ("Detergent 1kg", "pcs", false, 13_500, 0),
    ("Toothpaste 150g", "pcs", false, 9_800, 0),
    ("Bath Soap", "pcs", false, 4_500, 0),
    ("Dishwash Bar", "pcs", false, 1_000, 0),
    ("Shampoo 180ml", "pcs", false, 17_500, 0),
    ("Hand Wash 200ml", "pcs", false, 9_900, 0),
    ("Honey 250g", "pcs", false, 15_000, 0),
    ("Chips 90g", "pcs", false, 2_000, 90),
    ("Juice 1L", "pcs", false, 11_000, 180),
    ("Ice Cream 500ml", "pcs", false, 18_000, 60),
];

const VARIANTS: [&str; 12] = [
    "",
    "Classic",
    "Gold",
    "Lite",
    "Premium",
    "Family Pack",
    "Value Pack",
    "Organic",
    "Fresh",
    "Special",
    "Home Style",
    "Mini",
];

const SUPPLIERS: [&str; 8] = [
    "Sharma Distributors",
    "Metro Cash & Carry",
    "Gupta Traders",
    "Annapurna Wholesale",
    "Balaji Agencies",
    "Krishna Enterprises",
    "Reliance Wholesale",
    "Sai Ram Suppliers",
];

const CUSTOMERS: [&str; 12] = [
    "Walk-in customer",
    "Walk-in customer",
    "Walk-in customer",
    "Walk-in customer",
    "Asha Patel",
    "Ravi Kumar",
    "Meena Iyer",
    "Arjun Singh",
    "Fatima Khan",
    "John D'Souza",
    "Priya Nair",
    "Sunita Rao",
];

struct ProductRow {
    name: String,
    name_key: String,
    sku: String,
    unit: &'static str,
    loose: bool,
    selling_price: i64,
    base_cost: i64,
    shelf_life: i64,
    lower_limit: Option<i64>,
    upper_limit: Option<i64>,
    quantity: i64,
    average_cost: i64,
    /// Indexes into `Shop::lots` of lots with stock left.
    open_lots: Vec<usize>,
}

struct BillRow {
    kind: &'static str,
    party: &'static str,
    subtotal: i64,
    tax: i64,
    total: i64,
    cost_of_goods: i64,
    created_at: i64,
}

struct LineRow {
    bill: usize,
    line_no: i64,
    product: usize,
    quantity: i64,
    unit_price: i64,
    expires_on: Option<String>,
}

struct LotRow {
    product: usize,
    bill: usize,
    quantity_in: i64,
    remaining: i64,
    unit_cost: i64,
    expires_on: Option<String>,
    received_at: i64,
}

struct MovementRow {
    product: usize,
    kind: &'static str,
    quantity: i64,
    unit_amount: i64,
    unit_cost: i64,
    lot: usize,
    /// Write-offs have no bill.
    bill: Option<usize>,
    created_at: i64,
}

/// The products with stock on hand, with O(1) insert and remove (a sale picks from these).
struct Stocked {
    list: Vec<usize>,
    /// Each product's place in `list`, or `usize::MAX`.
    place: Vec<usize>,
}

impl Stocked {
    fn new(products: usize) -> Self {
        Self {
            list: Vec::new(),
            place: vec![usize::MAX; products],
        }
    }

    fn insert(&mut self, product: usize) {
        if self.place[product] == usize::MAX {
            self.place[product] = self.list.len();
            self.list.push(product);
        }
    }

    fn remove(&mut self, product: usize) {
        let at = std::mem::replace(&mut self.place[product], usize::MAX);
        if at != usize::MAX {
            self.list.swap_remove(at);
            if let Some(&moved) = self.list.get(at) {
                self.place[moved] = at;
            }
        }
    }
}

struct Shop {
    user_id: i64,
    tax_rate_bp: u32,
    products: Vec<ProductRow>,
    bills: Vec<BillRow>,
    lines: Vec<LineRow>,
    lots: Vec<LotRow>,
    movements: Vec<MovementRow>,
}

fn ean13(index: usize) -> String {
    let body = format!("890{:09}", index % 1_000_000_000);
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

fn products(rng: &mut Rng, count: usize) -> Vec<ProductRow> {
    let combos = BRANDS.len() * ITEMS.len();
    (0..count)
        .map(|i| {
            let (item, unit, loose, price, shelf_life) = ITEMS[i % ITEMS.len()];
            let brand = BRANDS[(i / ITEMS.len()) % BRANDS.len()];
            let round = i / combos;
            let variant = VARIANTS[round % VARIANTS.len()];
            let mut name = format!("{brand} {item}");
            if !variant.is_empty() {
                write!(name, " {variant}").ok();
            }
            if round >= VARIANTS.len() {
                write!(name, " No. {}", round / VARIANTS.len() + 1).ok();
            }
            let selling_price = (price * rng.range(85, 125) / 100).max(1);
            let (lower, upper) = if loose {
                (rng.range(2, 10) * 1_000, rng.range(40, 80) * 1_000)
            } else {
                (rng.range(2, 12), rng.range(60, 150))
            };
            ProductRow {
                name_key: search::fold(&name),
                name,
                sku: ean13(i),
                unit,
                loose,
                selling_price,
                base_cost: selling_price * 78 / 100,
                shelf_life,
                lower_limit: rng.chance(80).then_some(lower),
                upper_limit: rng.chance(40).then_some(upper),
                quantity: 0,
                average_cost: 0,
                open_lots: Vec::new(),
            }
        })
        .collect()
}

fn simulate(plan: &Plan, user_id: i64) -> Shop {
    let mut rng = Rng(plan.seed);
    let mut shop = Shop {
        user_id,
        tax_rate_bp: plan.tax_rate_bp,
        products: products(&mut rng, plan.products.max(1)),
        bills: Vec::new(),
        lines: Vec::new(),
        lots: Vec::new(),
        movements: Vec::with_capacity(plan.movements),
    };
    let mut clock = plan.now - SPAN_DAYS * 86_400;
    let mut stocked = Stocked::new(shop.products.len());
    // Perishable lots by expiry: a shopkeeper writes off what expired a few days ago.
    let mut expiring: BinaryHeap<Reverse<(String, usize)>> = BinaryHeap::new();
    let mut day = String::new();
    while shop.movements.len() < plan.movements {
        let today = date_of(clock);
        if today != day {
            let cutoff = add_days(&today, -WRITE_OFF_AFTER_DAYS).unwrap_or_default();
            while expiring.peek().is_some_and(|Reverse((e, _))| *e < cutoff) {
                if let Some(Reverse((_, lot))) = expiring.pop() {
                    write_off(&mut shop, &mut stocked, lot, clock);
                }
            }
            day = today;
        }
        let lots_before = shop.lots.len();
        // Spread the remaining bills evenly (with jitter) over the remaining time, from the
        // movements per bill seen so far.
        let per_bill = if shop.bills.is_empty() {
            2.0
        } else {
            shop.movements.len() as f64 / shop.bills.len() as f64
        };
        let bills_left = ((plan.movements - shop.movements.len()) as f64 / per_bill).max(1.0);
        let step = (((plan.now - clock) as f64 / bills_left) as i64).max(1);
        clock = (clock + rng.range(step / 2, step * 3 / 2).max(1)).min(plan.now);
        let sell = stocked.list.len() >= 8.min(shop.products.len()) && rng.chance(80);
        if sell {
            sale(&mut shop, &mut rng, &mut stocked, clock);
        } else {
            purchase(&mut shop, &mut rng, &mut stocked, clock);
        }
        for (lot, row) in shop.lots.iter().enumerate().skip(lots_before) {
            if let Some(expires_on) = &row.expires_on {
                expiring.push(Reverse((expires_on.clone(), lot)));
            }
        }
    }
    shop
}

/// Writes off what is left of an expired lot (a movement without a bill).
fn write_off(shop: &mut Shop, stocked: &mut Stocked, lot: usize, now: i64) {
    let row = &mut shop.lots[lot];
    let left = std::mem::take(&mut row.remaining);
    if left == 0 {
        return;
    }
    let product = row.product;
    shop.movements.push(MovementRow {
        product,
        kind: "write_off",
        quantity: -left,
        unit_amount: 0,
        unit_cost: row.unit_cost,
        lot,
        bill: None,
        created_at: now,
    });
    let p = &mut shop.products[product];
    p.quantity -= left;
    p.open_lots.retain(|&l| l != lot);
    if p.quantity == 0 {
        stocked.remove(product);
    }
}

fn distinct(rng: &mut Rng, pool_len: usize, count: usize) -> Vec<usize> {
    let mut picked: Vec<usize> = Vec::with_capacity(count);
    for _ in 0..count * 4 {
        if picked.len() == count {
            break;
        }
        let i = rng.index(pool_len);
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    picked
}

fn purchase(shop: &mut Shop, rng: &mut Rng, stocked: &mut Stocked, now: i64) {
    let bill = shop.bills.len();
    let today = date_of(now);
    let line_count = usize::try_from(rng.range(1, 5)).unwrap_or(1);
    let mut subtotal = 0i64;
    let mut line_no = 0;
    for product in distinct(rng, shop.products.len(), line_count) {
        let p = &mut shop.products[product];
        // Restock towards a level, as a shopkeeper would: a full shelf gets nothing.
        let target = if p.loose {
            rng.range(5, 50) * 1_000
        } else {
            rng.range(12, 120)
        };
        let quantity = target - p.quantity;
        if quantity <= 0 {
            continue;
        }
        let unit_cost = (p.base_cost * rng.range(92, 108) / 100).max(1);
        let expires_on = (p.shelf_life > 0)
            .then(|| add_days(&today, p.shelf_life + rng.range(-2, 2)))
            .flatten();
        p.average_cost = average_cost(
            p.quantity,
            Money::from_minor(p.average_cost),
            quantity,
            Money::from_minor(unit_cost),
        )
        .minor();
        stocked.insert(product);
        p.quantity += quantity;
        p.open_lots.push(shop.lots.len());
        shop.lots.push(LotRow {
            product,
            bill,
            quantity_in: quantity,
            remaining: quantity,
            unit_cost,
            expires_on: expires_on.clone(),
            received_at: now,
        });
        shop.movements.push(MovementRow {
            product,
            kind: "purchase",
            quantity,
            unit_amount: unit_cost,
            unit_cost,
            lot: shop.lots.len() - 1,
            bill: Some(bill),
            created_at: now,
        });
        line_no += 1;
        shop.lines.push(LineRow {
            bill,
            line_no,
            product,
            quantity,
            unit_price: unit_cost,
            expires_on,
        });
        subtotal += quantity * unit_cost;
    }
    if line_no > 0 {
        push_bill(shop, "purchase", rng.pick(&SUPPLIERS), subtotal, 0, now);
    }
}

fn sale(shop: &mut Shop, rng: &mut Rng, stocked: &mut Stocked, now: i64) {
    let bill = shop.bills.len();
    let line_count = usize::try_from(rng.range(1, 4)).unwrap_or(1);
    let mut subtotal = 0i64;
    let mut cost_of_goods = 0i64;
    let mut line_no = 0;
    let picks: Vec<usize> = distinct(rng, stocked.list.len(), line_count)
        .into_iter()
        .map(|i| stocked.list[i])
        .collect();
    for product in picks {
        let p = &shop.products[product];
        let want = if p.loose {
            rng.range(1, 20) * 250
        } else {
            rng.range(1, 6)
        };
        let quantity = want.min(p.quantity);
        if quantity <= 0 {
            continue;
        }
        let lots: Vec<LotStock> = p
            .open_lots
            .iter()
            .map(|&l| LotStock {
                id: l as i64,
                remaining: shop.lots[l].remaining,
                unit_cost: Money::from_minor(shop.lots[l].unit_cost),
                expires_on: shop.lots[l].expires_on.clone(),
                received_at: shop.lots[l].received_at,
            })
            .collect();
        let Ok(takes) = allocate(&lots, quantity) else {
            continue; // cannot happen: the product's quantity is its lots' sum
        };
        let price = p.selling_price;
        for take in &takes {
            let lot = usize::try_from(take.lot_id).unwrap_or_default();
            shop.lots[lot].remaining -= take.quantity;
            cost_of_goods += take.quantity * take.unit_cost.minor();
            shop.movements.push(MovementRow {
                product,
                kind: "sale",
                quantity: -take.quantity,
                unit_amount: price,
                unit_cost: take.unit_cost.minor(),
                lot,
                bill: Some(bill),
                created_at: now,
            });
        }
        let p = &mut shop.products[product];
        p.quantity -= quantity;
        let lots = &shop.lots;
        p.open_lots.retain(|&l| lots[l].remaining > 0);
        if p.quantity == 0 {
            stocked.remove(product);
        }
        line_no += 1;
        shop.lines.push(LineRow {
            bill,
            line_no,
            product,
            quantity,
            unit_price: price,
            expires_on: None,
        });
        subtotal += quantity * price;
    }
    if line_no > 0 {
        push_bill(
            shop,
            "sale",
            rng.pick(&CUSTOMERS),
            subtotal,
            cost_of_goods,
            now,
        );
    }
}

fn push_bill(
    shop: &mut Shop,
    kind: &'static str,
    party: &'static str,
    subtotal: i64,
    cost_of_goods: i64,
    now: i64,
) {
    let tax = tax_on(Money::from_minor(subtotal), shop.tax_rate_bp).minor();
    shop.bills.push(BillRow {
        kind,
        party,
        subtotal,
        tax,
        total: subtotal + tax,
        cost_of_goods,
        created_at: now,
    });
}

/// One field of a row to load.
enum Value<'a> {
    Int(i64),
    Text(&'a str),
    Null,
}

impl Value<'_> {
    fn opt_int(value: Option<i64>) -> Self {
        value.map_or(Value::Null, Value::Int)
    }
}

/// Writes row `i`'s fields into the buffer.
type RowFn<'a> = Box<dyn Fn(&mut Vec<Value<'a>>, usize) + 'a>;

/// A table's rows as the loader sees them: its columns, and each row's fields in that order.
struct Table<'a> {
    name: &'static str,
    columns: &'static str,
    rows: RowFn<'a>,
    len: usize,
}

/// Writes the simulated shop. Ids are explicit (1-based positions after the tables' current
/// maximum), so rows link up without reading ids back.
///
/// PostgreSQL loads with `COPY` on a connection of its own; SQLite with multi-row `INSERT`s.
/// Both in one transaction, with per-row foreign-key checks off: the links are right by
/// construction, and checking three million of them one at a time is most of the cost. (On a
/// PostgreSQL role that may not turn them off they simply run.)
async fn write(db: &Db, url: &str, shop: &Shop) -> Result<(), StorageError> {
    let mut bases = [0i64; 5];
    for (slot, table) in ["products", "bills", "bill_lines", "lots", "movements"]
        .iter()
        .enumerate()
    {
        bases[slot] = sqlx::query(&format!("SELECT COALESCE(MAX(id), 0) AS n FROM {table}"))
            .fetch_one(db.pool())
            .await?
            .try_get("n")?;
    }
    let tables = tables(shop, bases);
    match db.backend() {
        Backend::Sqlite => load_sqlite(db, &tables).await?,
        Backend::Postgres => load_postgres(url, &tables).await?,
    }
    // Statistics for the planner; on PostgreSQL also the visibility map, which index-only scans
    // (the dashboard's sums) need and which autovacuum would otherwise set minutes later.
    let analyze = match db.backend() {
        Backend::Sqlite => "ANALYZE",
        Backend::Postgres => "VACUUM (ANALYZE)",
    };
    sqlx::query(analyze).execute(db.pool()).await?;
    Ok(())
}

fn tables(shop: &Shop, bases: [i64; 5]) -> Vec<Table<'_>> {
    let [product_id, bill_id, line_id, lot_id, movement_id] = bases;
    let id = |base: i64, index: usize| Value::Int(base + index as i64 + 1);
    let now = shop.bills.last().map_or(0, |b| b.created_at);
    let user = shop.user_id;
    let rate = i64::from(shop.tax_rate_bp);
    vec![
        Table {
            name: "products",
            columns: "id, name, name_key, sku, unit, loose, selling_price, average_cost, quantity, \
                      lower_limit, upper_limit, archived, created_at, updated_at",
            len: shop.products.len(),
            rows: Box::new(move |out, i| {
                let p = &shop.products[i];
                out.extend([
                    id(product_id, i),
                    Value::Text(&p.name),
                    Value::Text(&p.name_key),
                    Value::Text(&p.sku),
                    Value::Text(p.unit),
                    Value::Int(i64::from(p.loose)),
                    Value::Int(p.selling_price),
                    Value::Int(p.average_cost),
                    Value::Int(p.quantity),
                    Value::opt_int(p.lower_limit),
                    Value::opt_int(p.upper_limit),
                    Value::Int(0),
                    Value::Int(now),
                    Value::Int(now),
                ]);
            }),
        },
        Table {
            name: "bills",
            columns: "id, kind, party_name, subtotal, tax_rate_bp, tax, total, cost_of_goods, created_by, created_at",
            len: shop.bills.len(),
            rows: Box::new(move |out, i| {
                let b = &shop.bills[i];
                out.extend([
                    id(bill_id, i),
                    Value::Text(b.kind),
                    Value::Text(b.party),
                    Value::Int(b.subtotal),
                    Value::Int(rate),
                    Value::Int(b.tax),
                    Value::Int(b.total),
                    Value::Int(b.cost_of_goods),
                    Value::Int(user),
                    Value::Int(b.created_at),
                ]);
            }),
        },
        Table {
            name: "bill_lines",
            columns: "id, bill_id, line_no, product_id, quantity, unit_price, line_total, expires_on",
            len: shop.lines.len(),
            rows: Box::new(move |out, i| {
                let l = &shop.lines[i];
                out.extend([
                    id(line_id, i),
                    id(bill_id, l.bill),
                    Value::Int(l.line_no),
                    id(product_id, l.product),
                    Value::Int(l.quantity),
                    Value::Int(l.unit_price),
                    Value::Int(l.quantity * l.unit_price),
                    l.expires_on.as_deref().map_or(Value::Null, Value::Text),
                ]);
            }),
        },
        Table {
            name: "lots",
            columns: "id, product_id, bill_id, quantity_in, remaining, unit_cost, expires_on, received_at",
            len: shop.lots.len(),
            rows: Box::new(move |out, i| {
                let l = &shop.lots[i];
                out.extend([
                    id(lot_id, i),
                    id(product_id, l.product),
                    id(bill_id, l.bill),
                    Value::Int(l.quantity_in),
                    Value::Int(l.remaining),
                    Value::Int(l.unit_cost),
                    l.expires_on.as_deref().map_or(Value::Null, Value::Text),
                    Value::Int(l.received_at),
                ]);
            }),
        },
        Table {
            name: "movements",
            columns: "id, product_id, kind, quantity, unit_amount, unit_cost, lot_id, bill_id, user_id, created_at",
            len: shop.movements.len(),
            rows: Box::new(move |out, i| {
                let m = &shop.movements[i];
                out.extend([
                    id(movement_id, i),
                    id(product_id, m.product),
                    Value::Text(m.kind),
                    Value::Int(m.quantity),
                    Value::Int(m.unit_amount),
                    Value::Int(m.unit_cost),
                    id(lot_id, m.lot),
                    m.bill.map_or(Value::Null, |b| id(bill_id, b)),
                    Value::Int(user),
                    Value::Int(m.created_at),
                ]);
            }),
        },
    ]
}

async fn load_sqlite(db: &Db, tables: &[Table<'_>]) -> Result<(), StorageError> {
    // A connection of its own, closed afterwards (never back in the pool with checks off).
    let mut conn = db.pool().acquire().await?.detach();
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut conn)
        .await?;
    sqlx::query("PRAGMA cache_size = -262144")
        .execute(&mut conn)
        .await?;
    let mut tx = sqlx::Connection::begin(&mut conn).await?;
    let mut fields = Vec::new();
    for table in tables {
        let started = std::time::Instant::now();
        let mut start = 0;
        while start < table.len {
            let end = (start + ROWS_PER_INSERT).min(table.len);
            let mut sql = format!("INSERT INTO {} ({}) VALUES ", table.name, table.columns);
            for i in start..end {
                fields.clear();
                (table.rows)(&mut fields, i);
                if i != start {
                    sql.push(',');
                }
                sql.push('(');
                for (n, field) in fields.iter().enumerate() {
                    if n > 0 {
                        sql.push(',');
                    }
                    match field {
                        Value::Int(v) => write!(sql, "{v}").unwrap_or_default(),
                        Value::Text(t) => {
                            write!(sql, "'{}'", t.replace('\'', "''")).unwrap_or_default()
                        }
                        Value::Null => sql.push_str("NULL"),
                    }
                }
                sql.push(')');
            }
            sqlx::query(&sql)
                .persistent(false)
                .execute(&mut *tx)
                .await?;
            start = end;
        }
        tracing::info!(table = table.name, rows = table.len, elapsed = ?started.elapsed(), "loaded");
    }
    tx.commit().await?;
    Ok(())
}

async fn load_postgres(url: &str, tables: &[Table<'_>]) -> Result<(), StorageError> {
    use sqlx::postgres::PgConnection;
    use sqlx::Connection as _;
    let mut conn = PgConnection::connect(url).await?;
    if let Err(e) = sqlx::query("SET session_replication_role = replica")
        .execute(&mut conn)
        .await
    {
        tracing::info!("foreign keys stay checked while seeding: {e}");
    }
    let mut tx = conn.begin().await?;
    let mut fields = Vec::new();
    for table in tables {
        let started = std::time::Instant::now();
        let mut copy = tx
            .copy_in_raw(&format!(
                "COPY {} ({}) FROM STDIN WITH (FORMAT csv)",
                table.name, table.columns
            ))
            .await?;
        let mut csv = String::with_capacity(1 << 20);
        for i in 0..table.len {
            fields.clear();
            (table.rows)(&mut fields, i);
            for (n, field) in fields.iter().enumerate() {
                if n > 0 {
                    csv.push(',');
                }
                match field {
                    Value::Int(v) => write!(csv, "{v}").unwrap_or_default(),
                    Value::Text(t) => {
                        write!(csv, "\"{}\"", t.replace('"', "\"\"")).unwrap_or_default()
                    }
                    Value::Null => {}
                }
            }
            csv.push('\n');
            if csv.len() > (1 << 20) {
                copy.send(csv.as_bytes()).await?;
                csv.clear();
            }
        }
        if !csv.is_empty() {
            copy.send(csv.as_bytes()).await?;
        }
        copy.finish().await?;
        tracing::info!(table = table.name, rows = table.len, elapsed = ?started.elapsed(), "loaded");
        // Explicit ids leave the identity sequence behind; move it past the loaded rows.
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{0}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {0}), false)",
            table.name
        ))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    conn.close().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(products: usize, movements: usize) -> Plan {
        Plan {
            products,
            movements,
            seed: 7,
            now: 1_790_000_000,
            tax_rate_bp: 500,
        }
    }

    #[test]
    fn simulation_keeps_every_ledger_rule() {
        let shop = simulate(&plan(300, 5_000), 1);
        assert!(shop.movements.len() >= 5_000);
        for (i, p) in shop.products.iter().enumerate() {
            let moved: i64 = shop
                .movements
                .iter()
                .filter(|m| m.product == i)
                .map(|m| m.quantity)
                .sum();
            let in_lots: i64 = shop
                .lots
                .iter()
                .filter(|l| l.product == i)
                .map(|l| l.remaining)
                .sum();
            assert_eq!(p.quantity, moved, "{}", p.name);
            assert_eq!(p.quantity, in_lots, "{}", p.name);
            assert!(p.quantity >= 0);
        }
        for lot in &shop.lots {
            assert!((0..=lot.quantity_in).contains(&lot.remaining));
        }
        assert!(shop
            .movements
            .iter()
            .any(|m| m.kind == "write_off" && m.bill.is_none()));
        let sales = shop.bills.iter().filter(|b| b.kind == "sale").count();
        assert!(
            sales > shop.bills.len() / 3,
            "a shop that mostly sells: {sales}"
        );
        let mut keys: Vec<&str> = shop.products.iter().map(|p| p.name_key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), shop.products.len(), "names are unique");
    }

    #[test]
    fn the_same_seed_gives_the_same_shop() {
        let a = simulate(&plan(50, 500), 1);
        let b = simulate(&plan(50, 500), 1);
        assert_eq!(a.movements.len(), b.movements.len());
        assert!(a.movements.iter().zip(&b.movements).all(|(x, y)| (
            x.product,
            x.quantity,
            x.created_at
        ) == (
            y.product,
            y.quantity,
            y.created_at
        )));
    }

    #[test]
    fn barcodes_carry_a_valid_check_digit() {
        assert_eq!(ean13(0).len(), 13);
        // 890000000001x: the EAN-13 check digit makes the weighted sum a multiple of ten.
        let code = ean13(1);
        let sum: u32 = code
            .bytes()
            .enumerate()
            .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
            .sum();
        assert_eq!(sum % 10, 0);
    }
}
