//! Pricing throughput: a month of delivered visits for one activity grant, against the reference
//! of splitting the same visits into bands alone (the floor any pricing must pay). Criterion
//! prints both; their ratio is the cost of pricing on top of band splitting.

use afregning_tariff::bands::{local_to_utc, split_visit};
use afregning_tariff::{Catalog, CatalogSet, GrantTerms, Period, Unit, Visit, price_grant};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const CATALOG: &str = include_str!("../../../deploy/catalog-2026.toml");

fn month_of_visits() -> Vec<Visit> {
    let april = Period::new(2026, 4).unwrap().range();
    april
        .iter_days()
        .flat_map(|day| {
            [7, 12, 17, 22].map(|hour| Visit {
                started_at: local_to_utc(day.and_hms_opt(hour, 30, 0).unwrap()).unwrap(),
                minutes: 45,
            })
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let catalog = Catalog::from_toml_str(CATALOG).unwrap();
    let holidays = catalog.holidays;
    let catalogs = CatalogSet::new(vec![catalog]).unwrap();
    let visits = month_of_visits();
    let terms = GrantTerms {
        unit: Unit::Service {
            category: "personal_care".into(),
        },
        visited_minutes_per_week: 1_260,
        start: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        end: None,
        end_reason: None,
        suspensions: vec![],
    };
    let april = Period::new(2026, 4).unwrap().range();
    let mut group = c.benchmark_group("activity_month_120_visits");
    group.bench_function("reference_band_split_only", |b| {
        b.iter(|| {
            visits
                .iter()
                .map(|v| split_visit(v.started_at, v.minutes, holidays).total())
                .sum::<u64>()
        })
    });
    group.bench_function("price_grant", |b| {
        b.iter(|| price_grant(black_box(&terms), black_box(&visits), april, &catalogs).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
