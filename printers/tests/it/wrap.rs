//! Property tests of line breaking.

use proptest::prelude::*;
use storepos_printers::encoding::display_width;
use storepos_printers::layout::{columns_lines, wrap};

fn mixed_text() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        4 => proptest::char::range('a', 'z'),
        1 => Just(' '),
        1 => proptest::char::range('0', '9'),
        4 => proptest::char::range('\u{4e00}', '\u{9fa5}'),
        1 => Just('￥'),
        1 => Just('，'),
    ];
    proptest::collection::vec(ch, 0..120).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #[test]
    fn wrapped_pieces_fit_and_concatenate_to_input(text in mixed_text(), width in 2usize..=48) {
        let pieces = wrap(&text, width);
        prop_assert_eq!(pieces.concat(), text.clone());
        for p in &pieces {
            prop_assert!(!p.is_empty());
            prop_assert!(display_width(p) <= width, "{:?} wider than {}", p, width);
        }
        // Greedy: a piece is only cut short when the next char would not fit
        // (or the cut moved back to a space inside an ASCII word).
        for w in pieces.windows(2) {
            let next = w[1].chars().next().unwrap();
            let full = display_width(w[0]) + display_width(&next.to_string()) > width;
            prop_assert!(full || w[0].ends_with(' '), "{:?} then {:?}", w[0], w[1]);
        }
    }

    #[test]
    fn column_lines_fit_and_keep_the_amount_on_the_last_line(
        left in mixed_text(), cents in 0u64..100_000_000, cols in prop_oneof![Just(16usize), Just(24), Just(32), Just(48)]
    ) {
        let right = format!("￥{}.{:02}", cents / 100, cents % 100);
        let lines = columns_lines(&left, &right, cols);
        for l in &lines {
            prop_assert!(display_width(l) <= cols, "{:?} wider than {}", l, cols);
        }
        let last = lines.last().unwrap();
        prop_assert!(last.ends_with(&right));
        prop_assert_eq!(display_width(last), cols, "amount flush right");
        let joined: String = lines.concat();
        let compact = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
        prop_assert_eq!(compact(&joined), compact(&format!("{left}{right}")));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any Unicode in names and memos: rendering never panics, the reader
    /// finds well-formed commands, and no line is wider than the paper.
    #[test]
    fn any_unicode_renders_within_paper(names in proptest::collection::vec(any::<String>(), 1..4), memo in any::<String>()) {
        use storepos_printers::escpos_reader::decode;
        use storepos_printers::templates::{kitchen_ticket, KitchenLine};
        use storepos_printers::{render, Paper, PrinterProfile};
        let mut data = crate::fixtures::kitchen_data();
        data.memo = Some(memo);
        data.lines = names.into_iter().map(|name| KitchenLine { name, quantity: 1, memo: None }).collect();
        for paper in [Paper::W58, Paper::W80] {
            let r = render(&kitchen_ticket(&data), &PrinterProfile::new("k", paper)).unwrap();
            let d = decode(&r.bytes, paper);
            prop_assert!(d.errors.is_empty(), "{:?}", d.errors);
            prop_assert_eq!(d.inits, 1);
        }
    }
}
