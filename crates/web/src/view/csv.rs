//! CSV cells for the exports. A cell is quoted when it holds a comma, a quote
//! or a line break, and defused when a spreadsheet would run it as a formula
//! (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return): a
//! partner's shared title `=HYPERLINK(…)` must open as text, not as a link.

pub fn field(raw: &str) -> String {
    let defused = if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{raw}")
    } else {
        raw.to_owned()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("line\nbreak"), "\"line\nbreak\"");
        for formula in ["=SUM(A1)", "+1", "-1+2", "@cmd", "\tx"] {
            assert!(
                field(formula).starts_with('\'') || field(formula).starts_with("\"'"),
                "{formula}"
            );
        }
        assert_eq!(
            field("=HYPERLINK(\"http://evil.example\",\"x\")"),
            "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""
        );
        assert_eq!(field("\rx"), "\"'\rx\"");
    }
}
