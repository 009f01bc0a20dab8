//! The deterministic demo catalog: a Chinese convenience store with a tea bar.
//!
//! The main app seeds its local catalog from [`demo_catalog`] and the simulator prices
//! orders from it, so ids (products and specifications) must never depend on anything
//! but the tables below. Append new products at the end of a category list only if you
//! accept that later ids shift; tests pin a few of them.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A product category (id + Chinese name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: u64,
    pub name: String,
    /// Which kitchen station prepares products of this category, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kitchen_station: Option<String>,
}

/// A product specification (规格), e.g. 大杯 / 中杯, with its own id and price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Specification {
    pub id: u64,
    pub product_id: u64,
    pub name: String,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub price: Decimal,
}

/// A catalog product. Serialized with snake_case names close to the platform's product JSON;
/// money is a JSON number (arbitrary precision, never f64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: u64,
    pub name: String,
    pub category_id: u64,
    pub category_name: String,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub price: Decimal,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub cost_price: Decimal,
    /// 13-digit EAN-13, prefix 69 (China), valid check digit.
    pub barcode: String,
    pub unit: String,
    #[serde(default)]
    pub specifications: Vec<Specification>,
    /// Kitchen routing hint: "bar" (tea / fresh drinks), "hot" (hot food), or none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kitchen_station: Option<String>,
}

impl Product {
    /// The specification with this id, if it belongs to this product.
    pub fn specification(&self, spec_id: u64) -> Option<&Specification> {
        self.specifications.iter().find(|s| s.id == spec_id)
    }
}

/// The categories of the demo catalog, in id order.
pub fn demo_categories() -> Vec<Category> {
    CATEGORIES
        .iter()
        .map(|(id, name, station)| Category {
            id: *id,
            name: (*name).to_string(),
            kitchen_station: station.map(str::to_string),
        })
        .collect()
}

/// (id, name, kitchen station)
const CATEGORIES: &[(u64, &str, Option<&str>)] = &[
    (1, "饮料", None),
    (2, "奶茶", Some("bar")),
    (3, "现制饮品", Some("bar")),
    (4, "零食", None),
    (5, "方便食品", Some("hot")),
    (6, "熟食", Some("hot")),
    (7, "面包糕点", None),
    (8, "乳制品", None),
    (9, "水果", None),
    (10, "日用品", None),
    (11, "烟酒", None),
];

/// (category id, name, price in fen, unit). Prices in fen keep the table exact.
/// Products of the 奶茶 / 现制饮品 categories get 中杯 / 大杯 specifications (see below).
const PRODUCTS: &[(u64, &str, i64, &str)] = &[
    // 1 饮料
    (1, "农夫山泉550ml", 200, "瓶"),
    (1, "怡宝纯净水555ml", 200, "瓶"),
    (1, "百岁山矿泉水570ml", 300, "瓶"),
    (1, "可口可乐330ml", 300, "罐"),
    (1, "可口可乐500ml", 350, "瓶"),
    (1, "百事可乐500ml", 350, "瓶"),
    (1, "雪碧500ml", 350, "瓶"),
    (1, "芬达橙味500ml", 350, "瓶"),
    (1, "王老吉310ml", 400, "罐"),
    (1, "加多宝310ml", 400, "罐"),
    (1, "红牛维生素功能饮料250ml", 600, "罐"),
    (1, "东鹏特饮500ml", 500, "瓶"),
    (1, "康师傅冰红茶500ml", 300, "瓶"),
    (1, "康师傅绿茶500ml", 300, "瓶"),
    (1, "统一冰红茶500ml", 300, "瓶"),
    (1, "统一阿萨姆奶茶500ml", 500, "瓶"),
    (1, "农夫山泉东方树叶500ml", 500, "瓶"),
    (1, "元气森林白桃气泡水480ml", 550, "瓶"),
    (1, "脉动青柠味600ml", 500, "瓶"),
    (1, "美汁源果粒橙450ml", 400, "瓶"),
    (1, "椰树椰汁245ml", 450, "罐"),
    (1, "维他柠檬茶250ml", 350, "盒"),
    (1, "农夫果园30%混合果蔬汁500ml", 550, "瓶"),
    (1, "三得利乌龙茶500ml", 550, "瓶"),
    (1, "娃哈哈AD钙奶220g", 250, "瓶"),
    (1, "康师傅茉莉蜜茶500ml", 300, "瓶"),
    (1, "健力宝橙蜜味330ml", 350, "罐"),
    (1, "北冰洋桔汁汽水248ml", 450, "瓶"),
    // 2 奶茶 (specifications 中杯/大杯)
    (2, "珍珠奶茶", 1200, "杯"),
    (2, "椰果奶茶", 1200, "杯"),
    (2, "红豆奶茶", 1300, "杯"),
    (2, "布丁奶茶", 1300, "杯"),
    (2, "芋泥波波奶茶", 1600, "杯"),
    (2, "黑糖珍珠鲜奶", 1700, "杯"),
    (2, "杨枝甘露", 1800, "杯"),
    (2, "芝士奶盖绿茶", 1500, "杯"),
    (2, "烤黑糖波波奶茶", 1600, "杯"),
    (2, "港式丝袜奶茶", 1400, "杯"),
    (2, "原味奶茶", 1000, "杯"),
    (2, "抹茶拿铁", 1600, "杯"),
    (2, "焦糖奶茶", 1300, "杯"),
    (2, "桂花乌龙奶茶", 1500, "杯"),
    (2, "草莓奶昔", 1800, "杯"),
    (2, "奥利奥奶茶", 1500, "杯"),
    (2, "双皮奶奶茶", 1600, "杯"),
    (2, "仙草冻奶茶", 1400, "杯"),
    (2, "阿华田可可奶茶", 1500, "杯"),
    (2, "鸳鸯奶茶", 1400, "杯"),
    // 3 现制饮品 (specifications 中杯/大杯)
    (3, "手打柠檬茶", 1200, "杯"),
    (3, "百香果绿茶", 1200, "杯"),
    (3, "满杯橙子", 1500, "杯"),
    (3, "多肉葡萄", 1900, "杯"),
    (3, "芝芝莓莓", 1900, "杯"),
    (3, "美式咖啡", 1200, "杯"),
    (3, "生椰拿铁", 1800, "杯"),
    (3, "茉莉花茶", 800, "杯"),
    (3, "冻柠七", 1000, "杯"),
    (3, "金桔柠檬", 1000, "杯"),
    (3, "西瓜啵啵", 1500, "杯"),
    (3, "鲜榨橙汁", 1600, "杯"),
    (3, "蜂蜜柚子茶", 1200, "杯"),
    (3, "四季春茶", 900, "杯"),
    (3, "燕麦拿铁", 1700, "杯"),
    (3, "冰美式", 1300, "杯"),
    // 4 零食
    (4, "乐事原味薯片70g", 750, "袋"),
    (4, "乐事黄瓜味薯片70g", 750, "袋"),
    (4, "上好佳鲜虾片40g", 450, "袋"),
    (4, "奥利奥原味夹心饼干97g", 680, "盒"),
    (4, "旺旺雪饼84g", 550, "袋"),
    (4, "旺旺仙贝52g", 450, "袋"),
    (4, "三只松鼠每日坚果25g", 600, "袋"),
    (4, "洽洽香瓜子200g", 900, "袋"),
    (4, "卫龙大面筋106g", 500, "袋"),
    (4, "卫龙魔芋爽18g", 200, "袋"),
    (4, "良品铺子猪肉脯100g", 1990, "袋"),
    (4, "德芙丝滑牛奶巧克力43g", 990, "条"),
    (4, "士力架花生夹心巧克力51g", 650, "条"),
    (4, "绿箭口香糖5片", 250, "条"),
    (4, "益达木糖醇口香糖40粒", 1190, "瓶"),
    (4, "大白兔奶糖114g", 1280, "袋"),
    (4, "好丽友派6枚", 1290, "盒"),
    (4, "盼盼法式小面包200g", 890, "袋"),
    (4, "周黑鸭鸭脖170g", 2590, "盒"),
    (4, "溜溜梅清梅60g", 590, "袋"),
    (4, "口水娃兰花豆", 350, "袋"),
    (4, "浪味仙田园蔬菜味70g", 600, "袋"),
    (4, "徐福记酥心糖", 1500, "袋"),
    (4, "米老头青稞米饼", 650, "袋"),
    (4, "好多鱼烧烤味33g", 450, "盒"),
    (4, "QQ糖(水蜜桃味)", 300, "袋"),
    (4, "辣条(麻辣王子)", 350, "袋"),
    // 5 方便食品
    (5, "康师傅红烧牛肉面", 450, "桶"),
    (5, "康师傅香辣牛肉面", 450, "桶"),
    (5, "康师傅老坛酸菜牛肉面", 450, "桶"),
    (5, "统一老坛酸菜牛肉面", 450, "桶"),
    (5, "统一汤达人日式豚骨拉面", 750, "桶"),
    (5, "今麦郎一菜一面", 500, "桶"),
    (5, "白象汤好喝老母鸡汤面", 550, "桶"),
    (5, "合味道海鲜风味杯面", 650, "杯"),
    (5, "好欢螺螺蛳粉400g", 1590, "袋"),
    (5, "李子柒螺蛳粉335g", 1390, "袋"),
    (5, "自嗨锅麻辣嫩牛自热火锅", 3290, "盒"),
    (5, "海底捞番茄牛腩自热米饭", 2490, "盒"),
    (5, "双汇王中王火腿肠", 250, "根"),
    (5, "思念三鲜水饺500g", 1690, "袋"),
    (5, "湾仔码头玉米猪肉水饺", 2590, "袋"),
    (5, "三全黑芝麻汤圆", 1290, "袋"),
    (5, "冰糖雪梨速食银耳羹", 890, "杯"),
    (5, "阿宽红油面皮", 890, "袋"),
    (5, "关东煮(份)", 1000, "份"),
    (5, "微波便当(鱼香肉丝饭)", 1500, "盒"),
    // 6 熟食
    (6, "茶叶蛋", 150, "个"),
    (6, "烤肠", 350, "根"),
    (6, "台湾烤肠(黑椒)", 400, "根"),
    (6, "玉米棒", 500, "根"),
    (6, "烤红薯", 600, "个"),
    (6, "鲜肉包", 250, "个"),
    (6, "香菇菜包", 200, "个"),
    (6, "叉烧包", 300, "个"),
    (6, "豆沙包", 200, "个"),
    (6, "奥尔良鸡腿", 1200, "个"),
    (6, "卤鸡爪(3只)", 900, "份"),
    (6, "卤鸭脖", 1000, "份"),
    (6, "梅菜扣肉饭", 1800, "份"),
    (6, "黄焖鸡米饭", 1900, "份"),
    (6, "宫保鸡丁饭", 1800, "份"),
    (6, "饭团(金枪鱼)", 650, "个"),
    (6, "饭团(照烧鸡肉)", 650, "个"),
    (6, "肉松三明治", 850, "个"),
    (6, "煎饺(6只)", 800, "份"),
    (6, "手抓饼", 700, "份"),
    // 7 面包糕点
    (7, "桃李醇熟切片面包", 850, "袋"),
    (7, "桃李酵母面包", 350, "个"),
    (7, "宾堡全麦吐司", 1190, "袋"),
    (7, "达利园法式软面包", 1290, "袋"),
    (7, "达利园蛋黄派", 990, "盒"),
    (7, "港荣蒸蛋糕", 1590, "袋"),
    (7, "友臣肉松饼", 1990, "盒"),
    (7, "稻香村牛舌饼", 1500, "袋"),
    (7, "泸溪河桃酥", 2200, "盒"),
    (7, "葡式蛋挞(2个)", 1000, "盒"),
    (7, "瑞士卷", 1200, "个"),
    (7, "肉松小贝(2个)", 1200, "盒"),
    (7, "菠萝包", 600, "个"),
    (7, "提拉米苏切块", 1800, "块"),
    (7, "雪媚娘(2个)", 1200, "盒"),
    (7, "手撕面包", 750, "袋"),
    (7, "牛角包", 800, "个"),
    (7, "红豆面包", 500, "个"),
    // 8 乳制品
    (8, "蒙牛纯牛奶250ml", 350, "盒"),
    (8, "伊利纯牛奶250ml", 350, "盒"),
    (8, "特仑苏纯牛奶250ml", 600, "盒"),
    (8, "金典有机纯牛奶250ml", 700, "盒"),
    (8, "光明鲜牛奶950ml", 1580, "瓶"),
    (8, "安慕希原味酸奶205g", 650, "瓶"),
    (8, "纯甄风味酸牛奶200g", 550, "盒"),
    (8, "养乐多100ml×5", 1150, "排"),
    (8, "伊利优酸乳250ml", 300, "盒"),
    (8, "旺仔牛奶245ml", 550, "罐"),
    (8, "蒙牛真果粒250g", 450, "盒"),
    (8, "君乐宝简醇酸奶", 650, "盒"),
    (8, "维他奶原味豆奶250ml", 400, "盒"),
    (8, "光明莫斯利安酸奶", 700, "盒"),
    (8, "伊利巧乐兹雪糕", 500, "支"),
    (8, "蒙牛随变冰淇淋", 500, "支"),
    (8, "和路雪可爱多", 700, "支"),
    (8, "钟薛高雪糕", 1800, "支"),
    // 9 水果
    (9, "香蕉(约500g)", 590, "份"),
    (9, "红富士苹果(约500g)", 790, "份"),
    (9, "砂糖橘(约500g)", 690, "份"),
    (9, "巨峰葡萄(盒装)", 1590, "盒"),
    (9, "西瓜切块(盒装)", 990, "盒"),
    (9, "哈密瓜切块(盒装)", 1190, "盒"),
    (9, "菠萝切块(盒装)", 990, "盒"),
    (9, "圣女果(盒装)", 890, "盒"),
    (9, "丑橘(约500g)", 1290, "份"),
    (9, "火龙果(个)", 800, "个"),
    (9, "猕猴桃(4个)", 1200, "份"),
    (9, "芒果(个)", 900, "个"),
    (9, "水果杯(混合)", 1500, "杯"),
    (9, "蓝莓(125g)", 1990, "盒"),
    (9, "冬枣(约500g)", 1490, "份"),
    (9, "梨(约500g)", 690, "份"),
    // 10 日用品
    (10, "清风抽纸(3包)", 1100, "提"),
    (10, "维达手帕纸(10包)", 690, "条"),
    (10, "心相印湿巾(10片)", 350, "包"),
    (10, "高露洁牙膏140g", 1290, "支"),
    (10, "佳洁士牙刷", 990, "支"),
    (10, "舒肤佳香皂115g", 650, "块"),
    (10, "蓝月亮洗手液500g", 1990, "瓶"),
    (10, "立白洗洁精1kg", 1290, "瓶"),
    (10, "南孚5号电池(2粒)", 990, "卡"),
    (10, "一次性雨衣", 500, "件"),
    (10, "折叠雨伞", 3500, "把"),
    (10, "医用外科口罩(10只)", 990, "包"),
    (10, "杜蕾斯避孕套(3只)", 2990, "盒"),
    (10, "护舒宝卫生巾日用", 1590, "包"),
    (10, "吉列剃须刀", 1990, "个"),
    (10, "数据线(Type-C)", 2500, "根"),
    (10, "打火机", 200, "个"),
    (10, "垃圾袋(30只)", 590, "卷"),
    (10, "创可贴(20片)", 890, "盒"),
    (10, "一次性拖鞋", 500, "双"),
    (10, "充电宝租借", 300, "次"),
    // 11 烟酒
    (11, "青岛啤酒经典330ml", 550, "罐"),
    (11, "雪花勇闯天涯500ml", 600, "罐"),
    (11, "百威啤酒500ml", 900, "罐"),
    (11, "哈尔滨啤酒330ml", 450, "罐"),
    (11, "青岛啤酒整提(6罐)", 3000, "提"),
    (11, "江小白表达瓶100ml", 2200, "瓶"),
    (11, "红星二锅头56度100ml", 700, "瓶"),
    (11, "牛栏山陈酿500ml", 1800, "瓶"),
    (11, "RIO鸡尾酒微醺330ml", 800, "罐"),
    (11, "张裕干红葡萄酒750ml", 6800, "瓶"),
    (11, "泸州老窖二曲", 3500, "瓶"),
    (11, "黄鹤楼(软蓝)", 1900, "包"),
    (11, "中华(硬)", 4500, "包"),
    (11, "利群(新版)", 1800, "包"),
    (11, "玉溪(软)", 2300, "包"),
    (11, "南京(炫赫门)", 1800, "包"),
    (11, "芙蓉王(硬)", 2500, "包"),
    (11, "红塔山(经典)", 1000, "包"),
];

/// The (name, price delta in fen) of the cup-size specifications of drink products.
const CUP_SPECS: &[(&str, i64)] = &[("中杯", 0), ("大杯", 300)];

fn fen(f: i64) -> Decimal {
    Decimal::new(f, 2)
}

/// EAN-13 check digit for the first 12 digits.
pub fn ean13_check_digit(first12: &str) -> Option<u32> {
    if first12.len() != 12 {
        return None;
    }
    let mut sum = 0u32;
    for (i, c) in first12.chars().enumerate() {
        let d = c.to_digit(10)?;
        sum += if i % 2 == 0 { d } else { d * 3 };
    }
    Some((10 - sum % 10) % 10)
}

/// True when `code` is a 13-digit EAN with a valid check digit.
pub fn is_valid_ean13(code: &str) -> bool {
    code.len() == 13
        && code.chars().all(|c| c.is_ascii_digit())
        && ean13_check_digit(&code[..12]) == code[12..].chars().next().and_then(|c| c.to_digit(10))
}

fn barcode_for(category_id: u64, product_id: u64) -> String {
    // 69 (China) + a 5-digit "manufacturer" per category + 5-digit item number.
    let first12 = format!("69{:05}{:05}", 20_000 + category_id * 137, product_id);
    let check = ean13_check_digit(&first12).unwrap_or(0);
    format!("{first12}{check}")
}

/// The demo catalog, deterministic: same ids, names, prices and barcodes on every call.
pub fn demo_catalog() -> Vec<Product> {
    let categories = demo_categories();
    let mut next_spec_id = 1001u64;
    let mut out = Vec::with_capacity(PRODUCTS.len());
    for (idx, (cat_id, name, price_fen, unit)) in PRODUCTS.iter().enumerate() {
        let id = idx as u64 + 1;
        let category = categories.iter().find(|c| c.id == *cat_id);
        let category_name = category.map(|c| c.name.clone()).unwrap_or_default();
        let kitchen_station = category.and_then(|c| c.kitchen_station.clone());
        let price = fen(*price_fen);
        let cost_price = fen(price_fen * 6 / 10);
        let specifications = if matches!(cat_id, 2 | 3) {
            CUP_SPECS
                .iter()
                .map(|(spec_name, delta)| {
                    let s = Specification {
                        id: next_spec_id,
                        product_id: id,
                        name: (*spec_name).to_string(),
                        price: fen(price_fen + delta),
                    };
                    next_spec_id += 1;
                    s
                })
                .collect()
        } else {
            Vec::new()
        };
        out.push(Product {
            id,
            name: (*name).to_string(),
            category_id: *cat_id,
            category_name,
            price,
            cost_price,
            barcode: barcode_for(*cat_id, id),
            unit: (*unit).to_string(),
            specifications,
            kitchen_station,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_big_unique_and_valid() {
        let c = demo_catalog();
        assert!(c.len() >= 220, "only {} products", c.len());
        let mut ids = std::collections::HashSet::new();
        let mut codes = std::collections::HashSet::new();
        let mut spec_ids = std::collections::HashSet::new();
        for p in &c {
            assert!(ids.insert(p.id));
            assert!(codes.insert(p.barcode.clone()));
            assert!(is_valid_ean13(&p.barcode), "{}", p.barcode);
            assert!(p.barcode.starts_with("69"));
            assert_eq!(p.price.scale(), 2);
            for s in &p.specifications {
                assert!(spec_ids.insert(s.id));
                assert_eq!(s.product_id, p.id);
            }
        }
        assert_eq!(c, demo_catalog());
        let tea = c.iter().find(|p| p.name == "珍珠奶茶").unwrap();
        assert_eq!(tea.kitchen_station.as_deref(), Some("bar"));
        assert_eq!(tea.specifications.len(), 2);
        let egg = c.iter().find(|p| p.name == "茶叶蛋").unwrap();
        assert_eq!(egg.kitchen_station.as_deref(), Some("hot"));
        let water = c.iter().find(|p| p.name == "农夫山泉550ml").unwrap();
        assert_eq!(water.kitchen_station, None);
    }

    #[test]
    fn known_ean() {
        // 6901234567892 is a commonly cited valid example.
        assert!(is_valid_ean13("6901234567892"));
        assert!(!is_valid_ean13("6901234567893"));
    }
}
