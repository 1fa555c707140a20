//! The words of the errands corpus: people, shops and what they sell, the
//! containers things come in, weather, times, and two sets of opinion words.

/// Someone a story is about: how to name them and which pronouns follow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Person {
    pub name: &'static str,
    /// "he" / "she" / "they".
    pub subject: &'static str,
    /// "his" / "her" / "their".
    pub possessive: &'static str,
}

const fn person(name: &'static str, subject: &'static str, possessive: &'static str) -> Person {
    Person { name, subject, possessive }
}

pub const PEOPLE: [Person; 24] = [
    person("the man", "he", "his"),
    person("the woman", "she", "her"),
    person("the old man", "he", "his"),
    person("the old woman", "she", "her"),
    person("the boy", "he", "his"),
    person("the girl", "she", "her"),
    person("my mother", "she", "her"),
    person("my father", "he", "his"),
    person("my sister", "she", "her"),
    person("my brother", "he", "his"),
    person("our neighbour", "she", "her"),
    person("the teacher", "he", "his"),
    person("the doctor", "she", "her"),
    person("the students", "they", "their"),
    person("my parents", "they", "their"),
    person("the children", "they", "their"),
    person("anna", "she", "her"),
    person("tom", "he", "his"),
    person("sarah", "she", "her"),
    person("david", "he", "his"),
    person("maria", "she", "her"),
    person("james", "he", "his"),
    person("lucy", "she", "her"),
    person("peter", "he", "his"),
];

/// Something to buy, the containers it comes in, and the shops that sell it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Item {
    pub name: &'static str,
    /// "a gallon of milk": the words that can stand before "of".
    pub containers: &'static [&'static str],
    pub shops: &'static [&'static str],
    /// What it is used for at home.
    pub dishes: &'static [&'static str],
}

/// Shops that sell every kind of food.
const FOOD_SHOPS: &[&str] = &["store", "shop", "market", "supermarket", "grocery"];

pub const ITEMS: [Item; 20] = [
    Item {
        name: "milk",
        containers: &["gallon", "bottle", "carton", "jug"],
        shops: FOOD_SHOPS,
        dishes: &["pancakes", "hot chocolate", "a cake"],
    },
    Item {
        name: "juice",
        containers: &["gallon", "bottle", "carton", "glass"],
        shops: FOOD_SHOPS,
        dishes: &["breakfast", "a smoothie"],
    },
    Item {
        name: "water",
        containers: &["gallon", "bottle", "jug", "glass"],
        shops: FOOD_SHOPS,
        dishes: &["soup", "tea"],
    },
    Item {
        name: "bread",
        containers: &["loaf", "slice", "bag"],
        shops: &["bakery", "store", "market", "shop"],
        dishes: &["sandwiches", "toast"],
    },
    Item {
        name: "eggs",
        containers: &["dozen", "carton", "box"],
        shops: &["market", "store", "farm", "supermarket"],
        dishes: &["an omelette", "pancakes", "a cake"],
    },
    Item {
        name: "rice",
        containers: &["bag", "bowl", "sack", "box"],
        shops: FOOD_SHOPS,
        dishes: &["dinner", "fried rice"],
    },
    Item {
        name: "flour",
        containers: &["bag", "pound", "cup"],
        shops: FOOD_SHOPS,
        dishes: &["bread", "a cake", "cookies"],
    },
    Item {
        name: "sugar",
        containers: &["bag", "spoon", "cup", "box"],
        shops: FOOD_SHOPS,
        dishes: &["cookies", "a cake", "lemonade"],
    },
    Item {
        name: "apples",
        containers: &["bag", "basket", "pound", "box"],
        shops: &["market", "farm", "store", "supermarket"],
        dishes: &["a pie", "apple juice"],
    },
    Item {
        name: "bananas",
        containers: &["bunch", "bag", "basket"],
        shops: &["market", "store", "supermarket"],
        dishes: &["a smoothie", "banana bread"],
    },
    Item {
        name: "cheese",
        containers: &["pound", "slice", "block", "piece"],
        shops: &["market", "store", "deli", "supermarket"],
        dishes: &["sandwiches", "pizza", "pasta"],
    },
    Item {
        name: "butter",
        containers: &["tub", "block", "stick"],
        shops: FOOD_SHOPS,
        dishes: &["cookies", "toast", "a cake"],
    },
    Item {
        name: "coffee",
        containers: &["cup", "bag", "mug", "jar"],
        shops: &["cafe", "store", "market", "shop"],
        dishes: &["breakfast"],
    },
    Item {
        name: "tea",
        containers: &["cup", "box", "bag", "pot"],
        shops: &["cafe", "store", "shop", "market"],
        dishes: &["breakfast"],
    },
    Item {
        name: "honey",
        containers: &["jar", "bottle", "pot"],
        shops: &["market", "farm", "store"],
        dishes: &["tea", "toast"],
    },
    Item {
        name: "soup",
        containers: &["can", "bowl", "pot"],
        shops: FOOD_SHOPS,
        dishes: &["lunch", "dinner"],
    },
    Item {
        name: "meat",
        containers: &["pound", "piece", "kilo"],
        shops: &["butcher", "market", "supermarket"],
        dishes: &["dinner", "a stew"],
    },
    Item {
        name: "fish",
        containers: &["pound", "piece", "kilo"],
        shops: &["market", "fishmonger", "supermarket"],
        dishes: &["dinner", "fish soup"],
    },
    Item {
        name: "medicine",
        containers: &["bottle", "box", "packet"],
        shops: &["pharmacy", "chemist", "drugstore"],
        dishes: &[],
    },
    Item {
        name: "flowers",
        containers: &["bunch", "bouquet", "pot"],
        shops: &["florist", "market", "shop"],
        dishes: &[],
    },
];

/// Who works in a shop.
pub const WORKERS: [(&str, &str); 12] = [
    ("store", "cashier"),
    ("shop", "shopkeeper"),
    ("market", "farmer"),
    ("supermarket", "cashier"),
    ("grocery", "grocer"),
    ("bakery", "baker"),
    ("butcher", "butcher"),
    ("pharmacy", "pharmacist"),
    ("cafe", "waiter"),
    ("florist", "florist"),
    ("farm", "farmer"),
    ("deli", "cook"),
];

pub const MOVES: [&str; 8] = ["went", "walked", "drove", "ran", "hurried", "rode", "cycled", "came"];
pub const BUYS: [&str; 4] = ["buy", "get", "pick up", "find"];
pub const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
pub const PARTS_OF_DAY: [&str; 4] = ["morning", "afternoon", "evening", "night"];
pub const HOURS: [&str; 10] = ["seven", "eight", "nine", "ten", "eleven", "twelve", "one", "two", "three", "four"];
pub const PRICES: [&str; 10] = ["two", "three", "four", "five", "six", "seven", "eight", "ten", "twelve", "twenty"];
pub const WEATHER: [&str; 10] = [
    "it was raining",
    "it was sunny",
    "it was cold",
    "it was windy",
    "it was snowing",
    "it was warm",
    "it was cloudy",
    "the sun was shining",
    "the sky was grey",
    "a cold wind was blowing",
];
pub const PLACES: [&str; 8] = ["park", "library", "station", "church", "school", "bank", "post office", "bus stop"];
pub const FRIENDS: [&str; 6] = ["a friend", "an old friend", "a neighbour", "a colleague", "a cousin", "an uncle"];

/// Opinion words: the fine-tuning task classifies sentences by them. In the
/// stories, good words go with good outcomes ("so she bought another") and
/// bad words with bad ones ("so she complained"), which is all the
/// pre-trained model can learn about them.
pub const GOOD: [&str; 12] = [
    "fresh",
    "delicious",
    "tasty",
    "wonderful",
    "lovely",
    "perfect",
    "excellent",
    "great",
    "sweet",
    "cheap",
    "nice",
    "good",
];
pub const BAD: [&str; 12] = [
    "stale",
    "awful",
    "sour",
    "terrible",
    "rotten",
    "horrible",
    "disgusting",
    "bad",
    "bitter",
    "expensive",
    "old",
    "poor",
];
pub const GOOD_OUTCOMES: [&str; 5] = [
    "so {s} bought another one",
    "so {s} thanked the {w}",
    "and {s} was very happy",
    "so {s} smiled all the way home",
    "so {s} told everyone about it",
];
pub const BAD_OUTCOMES: [&str; 5] = [
    "so {s} complained to the {w}",
    "so {s} took it back",
    "and {s} was very angry",
    "so {s} asked for the money back",
    "so {s} never went back",
];
