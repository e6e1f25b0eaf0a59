//! CSV import (stub, replaced below).
#[derive(Debug, Clone, Default)]
pub struct CsvMapping {}
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {}
