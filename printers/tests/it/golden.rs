//! Golden previews: reviewed by eye once, compared on every run.
//! `UPDATE_GOLDEN=1 cargo test -p storepos-printers` rewrites them.

use crate::fixtures::*;
use std::path::PathBuf;
use storepos_printers::templates::*;
use storepos_printers::{preview, Paper, Ticket};

fn check(name: &str, ticket: &Ticket, paper: Paper) {
    let actual = preview(ticket, paper);
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}_{}.txt", paper.mm()));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    match std::fs::read_to_string(&path) {
        Ok(expected) => assert_eq!(
            actual,
            expected,
            "preview of {name} at {paper:?} differs from {}; review, then UPDATE_GOLDEN=1",
            path.display()
        ),
        Err(_) => {
            std::fs::write(&path, &actual).unwrap();
            panic!("golden {} was missing: written, review it by eye", path.display());
        }
    }
}

#[test]
fn golden_previews() {
    for paper in [Paper::W58, Paper::W80] {
        check("receipt", &receipt(&receipt_data()), paper);
        check("receipt_qr", &receipt(&pay_later_receipt()), paper);
        check("kitchen", &kitchen_ticket(&kitchen_data()), paper);
    }
    check("after_sales", &after_sales_slip(&after_sales_data()), Paper::W58);
    check("z_report", &z_report(&z_report_data()), Paper::W80);
}
