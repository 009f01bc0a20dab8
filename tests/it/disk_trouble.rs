//! The ledger on a full disk and on a read-only filesystem (a real tmpfs mounted for the
//! test): the cashier gets a clear typed error, nothing is corrupted, nothing committed
//! is lost, and selling resumes when space (or write access) returns.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use storepos::commands::{dispatch, App};
use storepos::services::setup::{init_store, InitOptions};

struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = std::env::temp_dir().join(format!("storepos-tmpfs-{}-{}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&dir).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .status()
            .ok()?
            .success();
        ok.then_some(Tmpfs(dir))
    }
    fn remount(&self, mode: &str) {
        assert!(Command::new("mount")
            .args(["-o", &format!("remount,{mode}")])
            .arg(&self.0)
            .status()
            .unwrap()
            .success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
}

fn sale(app: &App, token: &str) -> Result<String, storepos::commands::CommandError> {
    let o = dispatch(
        app,
        Some(token),
        false,
        "sale_create",
        json!({"lines":[{"product_id":3,"quantity":1,"memo":"整单备注很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长"},{"product_id":4,"quantity":2}]}),
    )?;
    Ok(o["client_ref"].as_str().unwrap().to_string())
}

fn fill(dir: &Path) -> PathBuf {
    let filler = dir.join("filler.bin");
    let mut f = std::fs::File::create(&filler).unwrap();
    let block = vec![0u8; 4096];
    use std::io::Write;
    while f.write_all(&block).is_ok() {}
    let _ = f.sync_all();
    filler
}

fn count_intact(app: &App, refs: &[String]) {
    let ledger = app.ledger();
    assert_eq!(ledger.integrity_check().unwrap(), "ok");
    for r in refs {
        let n: i64 = ledger
            .read()
            .query_row(
                "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.client_ref = ?1",
                [r],
                |x| x.get(0),
            )
            .unwrap();
        assert_eq!(n, 2, "committed sale {r} damaged");
    }
}

#[test]
fn full_disk_and_read_only_are_clear_errors_and_recoverable() {
    let Some(fs) = Tmpfs::mount("4m") else {
        eprintln!("SKIPPED: cannot mount a tmpfs here (needs root)");
        return;
    };
    let app = init_store(&fs.0, &InitOptions::default()).unwrap();
    let token = dispatch(&app, None, false, "session_login", json!({"username":"cashier","pin":"1111"})).unwrap()
        ["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut refs = vec![sale(&app, &token).unwrap()];

    // Full disk: sell until the disk says no.
    let filler = fill(&fs.0);
    let mut err = None;
    for _ in 0..5000 {
        match sale(&app, &token) {
            Ok(r) => refs.push(r),
            Err(e) => {
                err = Some(e);
                break;
            }
        }
    }
    let e = err.expect("the disk never filled up");
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["code"], "disk_full", "{e:?}");
    assert!(e.message_zh.contains("磁盘已满"), "{}", e.message_zh);
    count_intact(&app, &refs);
    // Space returns: selling resumes without a restart.
    std::fs::remove_file(&filler).unwrap();
    refs.push(sale(&app, &token).expect("selling resumes when space returns"));
    count_intact(&app, &refs);

    // Read-only filesystem (a remount needs the files closed: storepos restarted on it).
    drop(app);
    fs.remount("ro");
    let e: storepos::commands::CommandError =
        App::open(&fs.0).err().expect("a read-only ledger must not open as if writable").into();
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["code"], "storage", "{e:?}");
    assert!(e.message_zh.contains("只读"), "{}", e.message_zh);
    fs.remount("rw");
    let app = App::open(&fs.0).unwrap();
    let token = dispatch(&app, None, false, "session_login", json!({"username":"cashier","pin":"1111"})).unwrap()
        ["token"]
        .as_str()
        .unwrap()
        .to_string();
    refs.push(sale(&app, &token).expect("selling resumes when the disk is writable again"));
    count_intact(&app, &refs);
}
