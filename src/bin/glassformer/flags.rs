//! `--name value` flags (and bare `--name` switches), read by name with a
//! default; every flag given must be read, so a misspelt one is an error.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::str::FromStr;

pub struct Flags {
    values: BTreeMap<String, Option<String>>,
    read: RefCell<Vec<String>>,
}

impl Flags {
    /// Switches (flags that take no value) are the names in `SWITCHES`.
    pub fn parse(args: &[&str]) -> Result<Flags, String> {
        const SWITCHES: [&str; 1] = ["--tie-embeddings"];
        let mut values = BTreeMap::new();
        let mut rest = args.iter();
        while let Some(&flag) = rest.next() {
            if !flag.starts_with("--") {
                return Err(format!("expected a --flag, got {flag:?}"));
            }
            let value = if SWITCHES.contains(&flag) {
                None
            } else {
                Some(rest.next().ok_or_else(|| format!("{flag} needs a value"))?.to_string())
            };
            values.insert(flag.to_string(), value);
        }
        Ok(Flags {
            values,
            read: RefCell::new(Vec::new()),
        })
    }

    /// The value of `--name`, parsed, or `default` when absent.
    pub fn get<T: FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        self.read.borrow_mut().push(name.to_string());
        match self.values.get(name) {
            Some(Some(text)) => text.parse().map_err(|_| format!("{name} {text:?} is not a valid value")),
            _ => Ok(default),
        }
    }

    /// Whether the switch `--name` was given.
    pub fn switch(&self, name: &str) -> bool {
        self.read.borrow_mut().push(name.to_string());
        self.values.contains_key(name)
    }

    /// An error naming any flag that nobody read.
    pub fn finish(&self, known: &str) -> Result<(), String> {
        let read = self.read.borrow();
        match self.values.keys().find(|name| !read.contains(name)) {
            Some(unknown) => Err(format!("unknown flag {unknown}; the flags are {known}")),
            None => Ok(()),
        }
    }
}
