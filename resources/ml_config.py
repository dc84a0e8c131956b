"""Default ML configuration for the loyalty churn model (version controlled).

Top-level literal assignments only: configadmin reads this file with `ast`, it never runs it.
`CATEGORY_KEY = value`: the first underscore splits the category from the key, so
`ML_FEATURE_MAPPING` is the setting `ml.feature_mapping`.
"""

# Model feature -> column of the customer feature table the inference service reads.
ML_FEATURE_MAPPING = {
    "revenue": "total_revenue",
    "transaction_count": "txn_count",
    "recency_days": "days_since_last_purchase",
    "frequency_90d": "txn_count_90d",
    "avg_basket_value": "avg_basket_value",
    "points_balance": "loyalty_points_balance",
    "points_redeemed": "points_redeemed_12m",
    "tenure_months": "membership_tenure_months",
    "tier": "loyalty_tier",
    "discount_share": "discount_revenue_share",
    "returns_rate": "return_rate_12m",
    "channel_online_share": "online_txn_share",
    "store_visits": "store_visits_90d",
    "campaign_response": "campaign_response_rate",
    "support_tickets": "support_tickets_12m",
}

# Number of inputs the churn model expects (one per mapped feature).
ML_MODEL_INPUT_SIZE = 15

# Probability above which a customer is flagged as at risk of churning.
ML_CHURN_THRESHOLD = 0.62

# How often the scoring job runs, in minutes.
ML_SCORING_INTERVAL_MINUTES = 60
