//! Text in aligned columns, for the commands that print tables.

/// Each row on a line after `indent`, its cells padded to the widest of their column and
/// two spaces apart (trailing space trimmed).
pub fn align<const N: usize>(rows: &[[String; N]], indent: &str) -> String {
    let widths: Vec<usize> = (0..N)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:w$}"))
            .collect();
        out.push_str(&format!("{indent}{}\n", cells.join("  ").trim_end()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::align;

    #[test]
    fn pads_each_column_to_its_widest_cell() {
        let rows = [
            ["a".to_owned(), "bb".to_owned(), String::new()],
            ["ccc".to_owned(), "d".to_owned(), "e".to_owned()],
        ];
        assert_eq!(align(&rows, "  "), "  a    bb\n  ccc  d   e\n");
    }
}
