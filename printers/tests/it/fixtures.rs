//! Sample data shared by the tests: Chinese names, memos, long names that wrap.

use rust_decimal_macros::dec;
use storepos_printers::templates::*;

pub const PAY_URL: &str = "weixin://wxpay/bizpayurl?pr=AbCdEf1";

pub fn receipt_data() -> ReceiptData {
    ReceiptData {
        title: None,
        customer: vec![],
        discount: None,
        store_name: "小山咖啡·南京胜太路店".into(),
        local_number: "T1-0007".into(),
        platform_order_number: Some("2405011230001234".into()),
        time_local: "2024-05-01 12:30:05".into(),
        cashier: "王小明".into(),
        lines: vec![
            ReceiptLine {
                name: "宫保鸡丁盖浇饭（大份加蛋加肉丝）".into(),
                quantity: 2,
                unit_price: dec!(16.20),
                line_total: dec!(32.40),
                memo: Some("不要加辣椒".into()),
            },
            ReceiptLine {
                name: "Iced Latte 冰拿铁".into(),
                quantity: 1,
                unit_price: dec!(28),
                line_total: dec!(28.00),
                memo: None,
            },
            ReceiptLine {
                name: "拉面".into(),
                quantity: 3,
                unit_price: dec!(10.00),
                line_total: dec!(30.00),
                memo: Some("少盐，多放香菜".into()),
            },
        ],
        remark: Some("打包带走".into()),
        total: dec!(90.40),
        paid: Some(dec!(100)),
        change: Some(dec!(9.60)),
        payment_method: "现金".into(),
        qr: None,
        qr_caption: None,
        footer: "谢谢惠顾，欢迎再来".into(),
        reprint: false,
        open_drawer: true,
    }
}

pub fn pay_later_receipt() -> ReceiptData {
    ReceiptData {
        qr: Some(PAY_URL.into()),
        qr_caption: Some("请使用微信扫码支付".into()),
        paid: None,
        change: None,
        payment_method: "微信支付".into(),
        open_drawer: false,
        ..receipt_data()
    }
}

pub fn kitchen_data() -> KitchenData {
    KitchenData {
        void: false,
        station: "热菜".into(),
        sequence: "0007".into(),
        channel: Channel::Flash,
        flow: Flow::Deliver,
        memo: Some("不要加辣椒，米饭多一点，餐具两份".into()),
        lines: vec![
            KitchenLine {
                name: "宫保鸡丁盖浇饭（大份加蛋加肉丝）".into(), quantity: 2, memo: Some("少盐".into())
            },
            KitchenLine { name: "拉面".into(), quantity: 1, memo: None },
        ],
        addition: true,
        reprint: true,
        time_local: "2024-05-01 12:30:05".into(),
        pickup_contact: Some("张三 138****5678".into()),
    }
}

pub fn after_sales_data() -> AfterSalesSlipData {
    AfterSalesSlipData {
        refund_way: None,
        store_only: false,
        store_name: "小山咖啡".into(),
        service_type: ServiceType::Exchange,
        service_number: Some("2405011230001234-17".into()),
        order_ref: Some("2405011230001234".into()),
        returned: vec![AfterSalesLine { name: "保温杯（蓝）".into(), quantity: 3, amount: Some(dec!(90)) }],
        exchanged: vec![AfterSalesLine { name: "保温杯（红）".into(), quantity: 2, amount: Some(dec!(22)) }],
        refund_fee: Some(dec!(68)),
        supplementary_fee: None,
        reason: Some("颜色不喜欢".into()),
        time_local: "2024-05-01 15:00:00".into(),
        clerk: "李四".into(),
        reprint: false,
    }
}

pub fn z_report_data() -> ZReportData {
    ZReportData {
        title: "日结报表".into(),
        store: "小山咖啡·南京胜太路店".into(),
        till: "T1".into(),
        business_day: "2024-05-01".into(),
        opened_at: "2024-05-01 08:00".into(),
        closed_at: "2024-05-01 22:05".into(),
        cashier: "王小明".into(),
        manager: Some("赵店长".into()),
        gross: dec!(14566),
        discounts: dec!(0),
        refunds: dec!(68),
        net: dec!(14498),
        order_count: 312,
        payment_mix: vec![
            ZCountRow { label: "现金".into(), count: 40, amount: dec!(1200.50) },
            ZCountRow { label: "微信支付".into(), count: 272, amount: dec!(13365.50) },
        ],
        cash: Some(CashCount { expected: dec!(1700.50), counted: dec!(1698.50), over_short: dec!(-2) }),
        sections: vec![ZSection {
            heading: "订单状态".into(),
            rows: vec![("已完成".into(), "305".into()), ("已取消".into(), "7".into())],
        }],
        printed_at: "2024-05-01 22:06".into(),
    }
}
