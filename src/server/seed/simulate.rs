//! Two years of a shop's life, simulated in memory: purchases and sales run through the same
//! domain rules the app records with ([`Position::receive`] for the moving average cost,
//! [`sell`] for lots taken first-expiry-first-out, [`Totals`] for the bills), and expired lots
//! written off, so every ledger invariant holds in the result. The same seed gives the same shop.

use super::bulk::Plan;
use super::catalogue::{BRANDS, CUSTOMERS, ITEMS, SUPPLIERS, VARIANTS};
use crate::domain::bill::{line_total, BillKind, Totals};
use crate::domain::calendar::Zone;
use crate::domain::ledger::MovementKind;
use crate::domain::stock::{sell, LotStock, Position};
use crate::domain::tax::tax_on;
use crate::domain::{search, Day, Measure, Money};
use crate::server::storage::bulk::{BillRow, LineRow, LotRow, MovementRow, ProductRow, Shop};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt::Write as _;

const SPAN_DAYS: i64 = 730;
/// Expired stock stays on the shelf (and in the expiry list) this many days, then is written off.
const WRITE_OFF_AFTER_DAYS: i64 = 3;

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

/// How a product's quantities and prices read (per kg for loose goods kept in grams).
fn measure(p: &ProductRow) -> Measure {
    Measure::new(p.unit.clone(), p.loose)
}

/// What the simulation knows of a product beyond its row.
struct Stock {
    base_cost: i64,
    shelf_life: i64,
    /// Indexes into `Shop::lots` of lots with stock left.
    open_lots: Vec<usize>,
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

/// The shop being simulated: its rows and each product's stock.
struct Sim {
    shop: Shop,
    stock: Vec<Stock>,
}

fn ean13(index: usize) -> String {
    let body = format!("890{:09}", index % 1_000_000_000);
    let check = crate::domain::barcode::ean13_check(&body).unwrap_or('0');
    format!("{body}{check}")
}

fn products(rng: &mut Rng, count: usize) -> (Vec<ProductRow>, Vec<Stock>) {
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
            // Prices of loose goods kept in grams are per kg (`domain::measure`).
            let scale = Measure::new(unit, loose).scale();
            let selling_price = (price * scale * rng.range(85, 125) / 100).max(1);
            let (lower, upper) = if loose {
                (rng.range(2, 10) * 1_000, rng.range(40, 80) * 1_000)
            } else {
                (rng.range(2, 12), rng.range(60, 150))
            };
            let row = ProductRow {
                name_key: search::fold(&name),
                name,
                sku: ean13(i),
                unit: unit.to_owned(),
                loose,
                selling_price,
                lower_limit: rng.chance(80).then_some(lower),
                upper_limit: rng.chance(40).then_some(upper),
                quantity: 0,
                average_cost: 0,
            };
            let stock = Stock {
                base_cost: selling_price * 78 / 100,
                shelf_life,
                open_lots: Vec::new(),
            };
            (row, stock)
        })
        .unzip()
}

/// The shop `plan` describes, recorded by `user_id`.
pub fn simulate(plan: &Plan, user_id: i64) -> Shop {
    let mut rng = Rng(plan.seed);
    let (products, stock) = products(&mut rng, plan.products.max(1));
    let mut sim = Sim {
        shop: Shop {
            user_id,
            tax_rate_bp: plan.tax_rate_bp,
            products,
            movements: Vec::with_capacity(plan.movements),
            ..Shop::default()
        },
        stock,
    };
    let mut clock = plan.now - SPAN_DAYS * 86_400;
    let mut stocked = Stocked::new(sim.shop.products.len());
    // Perishable lots by expiry: a shopkeeper writes off what expired a few days ago.
    let mut expiring: BinaryHeap<Reverse<(Day, usize)>> = BinaryHeap::new();
    let mut day = None;
    while sim.shop.movements.len() < plan.movements {
        let today = plan.zone.day_of(clock);
        if day != Some(today) {
            let cutoff = today.plus_days(-WRITE_OFF_AFTER_DAYS).unwrap_or(today);
            while expiring.peek().is_some_and(|Reverse((e, _))| *e < cutoff) {
                if let Some(Reverse((_, lot))) = expiring.pop() {
                    write_off(&mut sim, &mut stocked, lot, clock);
                }
            }
            day = Some(today);
        }
        let lots_before = sim.shop.lots.len();
        // Spread the remaining bills evenly (with jitter) over the remaining time, from the
        // movements per bill seen so far.
        let shop = &sim.shop;
        let per_bill = if shop.bills.is_empty() {
            2.0
        } else {
            shop.movements.len() as f64 / shop.bills.len() as f64
        };
        let bills_left = ((plan.movements - shop.movements.len()) as f64 / per_bill).max(1.0);
        let step = (((plan.now - clock) as f64 / bills_left) as i64).max(1);
        clock = (clock + rng.range(step / 2, step * 3 / 2).max(1)).min(plan.now);
        let sells = stocked.list.len() >= 8.min(shop.products.len()) && rng.chance(80);
        if sells {
            sale(&mut sim, &mut rng, &mut stocked, clock);
        } else {
            purchase(
                &mut sim,
                &mut rng,
                &mut stocked,
                clock,
                plan.zone.day_of(clock),
            );
        }
        for (lot, row) in sim.shop.lots.iter().enumerate().skip(lots_before) {
            if let Some(expires_on) = row.expires_on {
                expiring.push(Reverse((expires_on, lot)));
            }
        }
    }
    sim.shop
}

/// Writes off what is left of an expired lot (a movement without a bill).
fn write_off(sim: &mut Sim, stocked: &mut Stocked, lot: usize, now: i64) {
    let row = &mut sim.shop.lots[lot];
    let left = std::mem::take(&mut row.remaining);
    if left == 0 {
        return;
    }
    let product = row.product;
    let at_cost = measure(&sim.shop.products[product])
        .amount(left, Money::from_minor(row.unit_cost))
        .map_or(0, Money::minor);
    sim.shop.movements.push(MovementRow {
        product,
        kind: MovementKind::WriteOff,
        quantity: -left,
        unit_amount: 0,
        unit_cost: row.unit_cost,
        amount: -at_cost,
        cost: -at_cost,
        lot,
        bill: None,
        created_at: now,
    });
    sim.shop.products[product].quantity -= left;
    sim.stock[product].open_lots.retain(|&l| l != lot);
    if sim.shop.products[product].quantity == 0 {
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

/// A purchase at `now`, on the shop's day `today` (its lots expire counting from it).
fn purchase(sim: &mut Sim, rng: &mut Rng, stocked: &mut Stocked, now: i64, today: Day) {
    let bill = sim.shop.bills.len();
    let line_count = usize::try_from(rng.range(1, 5)).unwrap_or(1);
    let mut amounts = Vec::new();
    let mut line_no = 0;
    for product in distinct(rng, sim.shop.products.len(), line_count) {
        let (p, s) = (&mut sim.shop.products[product], &mut sim.stock[product]);
        let measure = measure(p);
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
        let unit_cost = (s.base_cost * rng.range(92, 108) / 100).max(1);
        let expires_on = (s.shelf_life > 0)
            .then(|| today.plus_days(s.shelf_life + rng.range(-2, 2)))
            .flatten();
        let position = Position {
            quantity: p.quantity,
            average_cost: Money::from_minor(p.average_cost),
        }
        .receive(quantity, Money::from_minor(unit_cost));
        (p.quantity, p.average_cost) = (position.quantity, position.average_cost.minor());
        stocked.insert(product);
        s.open_lots.push(sim.shop.lots.len());
        sim.shop.lots.push(LotRow {
            product,
            bill,
            quantity_in: quantity,
            remaining: quantity,
            unit_cost,
            expires_on,
            received_at: now,
        });
        let value =
            line_total(&measure, quantity, Money::from_minor(unit_cost)).unwrap_or_default();
        sim.shop.movements.push(MovementRow {
            product,
            kind: MovementKind::Purchase,
            quantity,
            unit_amount: unit_cost,
            unit_cost,
            amount: value.minor(),
            cost: value.minor(),
            lot: sim.shop.lots.len() - 1,
            bill: Some(bill),
            created_at: now,
        });
        line_no += 1;
        sim.shop.lines.push(LineRow {
            bill,
            line_no,
            product,
            quantity,
            unit_price: unit_cost,
            line_total: value.minor(),
            expires_on,
            tax_rate_bp: i64::from(sim.shop.tax_rate_bp),
            tax: tax_on(value, sim.shop.tax_rate_bp).minor(),
        });
        amounts.push(value);
    }
    if line_no > 0 {
        push_bill(
            sim,
            BillKind::Purchase,
            rng.pick(&SUPPLIERS),
            &amounts,
            Money::ZERO,
            now,
        );
    }
}

fn sale(sim: &mut Sim, rng: &mut Rng, stocked: &mut Stocked, now: i64) {
    let bill = sim.shop.bills.len();
    let line_count = usize::try_from(rng.range(1, 4)).unwrap_or(1);
    let mut amounts = Vec::new();
    let mut cost_of_goods = 0i64;
    let mut line_no = 0;
    let picks: Vec<usize> = distinct(rng, stocked.list.len(), line_count)
        .into_iter()
        .map(|i| stocked.list[i])
        .collect();
    for product in picks {
        let p = &sim.shop.products[product];
        let measure = measure(p);
        let want = if p.loose {
            rng.range(1, 20) * 250
        } else {
            rng.range(1, 6)
        };
        let quantity = want.min(p.quantity);
        if quantity <= 0 {
            continue;
        }
        let lots: Vec<LotStock> = sim.stock[product]
            .open_lots
            .iter()
            .map(|&l| {
                let lot = &sim.shop.lots[l];
                LotStock {
                    id: l as i64,
                    remaining: lot.remaining,
                    unit_cost: Money::from_minor(lot.unit_cost),
                    expires_on: lot.expires_on,
                    received_at: lot.received_at,
                }
            })
            .collect();
        let Ok(taken) = sell(&lots, quantity, &measure) else {
            continue; // cannot happen: the product's quantity is its lots' sum
        };
        let price = p.selling_price;
        let mut sold = 0;
        for take in &taken.takes {
            let lot = usize::try_from(take.lot_id).unwrap_or_default();
            sim.shop.lots[lot].remaining -= take.quantity;
            let at_price = measure
                .part(sold, sold + take.quantity, Money::from_minor(price))
                .map_or(0, Money::minor);
            sold += take.quantity;
            sim.shop.movements.push(MovementRow {
                product,
                kind: MovementKind::Sale,
                quantity: -take.quantity,
                unit_amount: price,
                unit_cost: take.unit_cost.minor(),
                amount: -at_price,
                cost: -take.cost.minor(),
                lot,
                bill: Some(bill),
                created_at: now,
            });
        }
        cost_of_goods += taken.cost_of_goods.minor();
        sim.shop.products[product].quantity -= quantity;
        let lots = &sim.shop.lots;
        sim.stock[product]
            .open_lots
            .retain(|&l| lots[l].remaining > 0);
        if sim.shop.products[product].quantity == 0 {
            stocked.remove(product);
        }
        let value = line_total(&measure, quantity, Money::from_minor(price)).unwrap_or_default();
        line_no += 1;
        sim.shop.lines.push(LineRow {
            bill,
            line_no,
            product,
            quantity,
            unit_price: price,
            line_total: value.minor(),
            expires_on: None,
            tax_rate_bp: i64::from(sim.shop.tax_rate_bp),
            tax: tax_on(value, sim.shop.tax_rate_bp).minor(),
        });
        amounts.push(value);
    }
    if line_no > 0 {
        let party = rng.pick(&CUSTOMERS);
        push_bill(
            sim,
            BillKind::Sale,
            party,
            &amounts,
            Money::from_minor(cost_of_goods),
            now,
        );
    }
}

fn push_bill(
    sim: &mut Sim,
    kind: BillKind,
    party: &str,
    lines: &[Money],
    cost_of_goods: Money,
    now: i64,
) {
    let rate = sim.shop.tax_rate_bp;
    let totals = Totals::of_lines(lines.iter().map(|&amount| (amount, rate)))
        .map(|priced| priced.totals)
        .unwrap_or_default();
    sim.shop.bills.push(BillRow {
        kind,
        party: party.to_owned(),
        subtotal: totals.subtotal.minor(),
        tax: totals.tax.minor(),
        total: totals.total.minor(),
        cost_of_goods: cost_of_goods.minor(),
        created_at: now,
    });
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
            zone: crate::server::zone::ShopZone::utc(),
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
            .any(|m| m.kind == MovementKind::WriteOff && m.bill.is_none()));
        let sales = shop
            .bills
            .iter()
            .filter(|b| b.kind == BillKind::Sale)
            .count();
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
