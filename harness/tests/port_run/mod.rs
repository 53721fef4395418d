//! What the tests of the ports in `ports/` share: running the catalog (or some cases) against a
//! port, with one of its naive switches or none, and reading each case's status from the report.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The repository root, where the ports' paths start.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A port under test: its engine command, and the variable that carries its naive switches.
pub struct Port<'a> {
    pub label: &'a str,
    pub engine_cmd: &'a str,
    pub switch_variable: &'a str,
}

impl Port<'_> {
    /// Runs the catalog (or `cases`) against the port with the naive `switch` (empty: none);
    /// returns the exit success and each case's status.
    pub fn run(
        &self,
        name: &str,
        switch: &str,
        extra: &[&str],
        cases: &[&str],
    ) -> (bool, Vec<(String, String)>) {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{}-{name}", self.label));
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        let json = dir.join("report.json");
        let output = Command::new(env!("CARGO_BIN_EXE_caspian-conform"))
            .current_dir(root())
            .env(self.switch_variable, switch)
            .args(["run", "--quiet", "--engine-cmd", self.engine_cmd, "--json"])
            .arg(&json)
            .args(extra)
            .args(cases)
            .output()
            .expect("run caspian-conform");
        let report: Value = std::fs::read_to_string(&json)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_else(|| panic!("no report; stderr: {}", String::from_utf8_lossy(&output.stderr)));
        let statuses = report["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .map(|c| {
                (c["id"].as_str().unwrap_or("").to_string(), c["status"].as_str().unwrap_or("").to_string())
            })
            .collect();
        (output.status.success(), statuses)
    }
}

/// The status of case `id` in `statuses`, or `absent`.
pub fn status<'a>(statuses: &'a [(String, String)], id: &str) -> &'a str {
    statuses.iter().find(|(case, _)| case == id).map_or("absent", |(_, status)| status.as_str())
}
