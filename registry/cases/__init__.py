"""Joint reward and punishment cases (联合奖惩案例), the measures list and object list (PRODUCT §5)."""
