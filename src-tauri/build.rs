//! The Tauri config lives at the repository root (one file for cargo and the bundler
//! script); `bundle-config.sh` generates the copy the bundler wants.
fn main() {
    println!("cargo:rerun-if-changed=../tauri.conf.json");
    println!("cargo:rerun-if-changed=capabilities");
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
        .expect("tauri-build failed (is ../tauri.conf.json valid and ui/dist built?)");
}
