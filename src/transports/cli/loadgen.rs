//! `storepos loadgen` (hidden): rings up sales in a loop and prints each `client_ref`
//! only after its commit returned. The crash tests SIGKILL this process at random
//! moments and then check that every printed order is whole in the ledger.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::commands::{dispatch, App};

pub fn run(data: &Path, count: u64, pay: bool, after_sales: bool, user: &str, pin: &str) -> ExitCode {
    let app = match App::open(data) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let token = match dispatch(&app, None, false, "session_login", serde_json::json!({ "username": user, "pin": pin }))
    {
        Ok(v) => v["token"].as_str().unwrap_or_default().to_string(),
        Err(e) => {
            eprintln!("{}", e.message_en);
            return ExitCode::from(1);
        }
    };
    // Money is taken only in an open shift: open one (float 0) unless the till has one.
    if pay {
        let _ = dispatch(&app, Some(&token), false, "shift_open", serde_json::json!({ "float": "0" }));
    }
    let mut out = std::io::stdout().lock();
    for i in 0..count {
        let lines = serde_json::json!([
            { "product_id": 1 + (i % 50) as i64, "quantity": 1 + (i % 3) as i64 },
            { "product_id": 60 + (i % 40) as i64, "quantity": 1, "memo": "少冰" },
        ]);
        let order = match dispatch(&app, Some(&token), false, "sale_create", serde_json::json!({ "lines": lines })) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("{}", e.message_en);
                return ExitCode::from(1);
            }
        };
        let client_ref = order["client_ref"].as_str().unwrap_or_default().to_string();
        let mut state = "created";
        if pay {
            let total = order["total"].as_str().unwrap_or("0").to_string();
            if let Err(e) = dispatch(
                &app,
                Some(&token),
                false,
                "sale_cash_pay",
                serde_json::json!({ "client_ref": client_ref, "tendered": total }),
            ) {
                eprintln!("{}", e.message_en);
                return ExitCode::from(1);
            }
            state = "paid";
        }
        // Printed after the commit returned: the test may rely on it being durable.
        let _ = writeln!(out, "{state} {client_ref}");
        if pay && after_sales {
            let req = serde_json::json!({ "client_ref": client_ref, "service_type": "RETURN", "reason": "顾客退货", "returns": [{ "line_no": 1, "quantity": 1 }] });
            match dispatch(&app, Some(&token), false, "after_sales_create", req) {
                Ok(v) => {
                    let _ = writeln!(
                        out,
                        "serviced {client_ref} {}",
                        v["service"]["client_ref"].as_str().unwrap_or_default()
                    );
                }
                Err(e) => {
                    eprintln!("{}", e.message_en);
                    return ExitCode::from(1);
                }
            }
        }
        let _ = out.flush();
    }
    ExitCode::SUCCESS
}
