"""Random valid mappings (unicode included) come back from both databases exactly as saved."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configadmin import ConfigurationService
from configadmin.domain.names import near_duplicates
from configadmin.domain.registry import FEATURE_MAPPING
from configadmin.domain.resolution import thaw

# Control, format and separator characters, private use and lone surrogates are refused in feature
# names (domain/names.py); everything else in Unicode is a valid feature name.
_FORBIDDEN = ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")

features = st.text(st.characters(blacklist_categories=_FORBIDDEN), min_size=1, max_size=40).filter(
    lambda s: s == s.strip() and not any(ch.isspace() for ch in (s[0], s[-1])))
# Columns are ASCII identifiers (look-alike letters from other scripts are refused).
_letter = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_word = st.builds(
    lambda first, rest: first + rest,
    st.one_of(_letter, st.just("_")),
    st.text(st.one_of(_letter, st.sampled_from("0123456789_")), max_size=20),
)
columns = st.lists(_word, min_size=1, max_size=3).map(".".join)
mappings = st.dictionaries(features, columns, min_size=0, max_size=30).filter(
    lambda m: not near_duplicates(m))  # `total` next to `Total` or `tоtal` is refused, by design


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mapping=mappings)
def test_random_valid_mappings_round_trip_exactly(service: ConfigurationService, mapping: dict[str, str]) -> None:
    version = service.set_ml_feature_mapping(mapping, reason="round trip")
    resolved = service.resolve("ml", "feature_mapping")  # the save dropped the cache: read from the database
    assert resolved.version == version
    assert thaw(resolved.value) == mapping
    assert service.history("ml", "feature_mapping", limit=1)[0].new_value == mapping
    assert thaw(service.stored_resolution(FEATURE_MAPPING).value) == mapping


def test_the_audit_chain_of_random_unicode_mappings_verifies(service: ConfigurationService) -> None:
    @settings(max_examples=10, deadline=None)
    @given(mapping=mappings)
    def save(mapping: dict[str, str]) -> None:
        service.set_ml_feature_mapping(mapping)

    save()
    report = service.verify_audit()
    assert report.ok and report.checked >= 1
