"""Credit-based supervision (信用分级分类监管, PRODUCT §16; 国办发〔2019〕35号): a supervision class
for every subject, computed from its credit records by an administrator's versioned rules."""
