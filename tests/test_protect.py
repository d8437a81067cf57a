"""Template protection (clause 9): encryption, the cancelable transform, unlinkability
D↔sys and the accuracy cost of protection."""

from __future__ import annotations

import base64
import copy

import numpy as np
import pytest

from reference_impl.errors import InputError
from reference_impl.limits import MAX_D_SYS
from reference_impl.metrics.identification import fnir_at_fpir
from reference_impl.metrics.verification import fnmr_at_fmr
from reference_impl.model.similarity import score_matrix
from reference_impl.protect import attack, cancelable, cost, encryption, samples, unlinkability
from reference_impl.protect.encryption import KeyRing, TemplateIntegrityError

METADATA = {"template_id": "t-0001", "algorithm_id": "example-face", "algorithm_version": "1.0",
            "dimension": 8, "dtype": "float32", "normalisation": "l2"}


def template() -> np.ndarray:
    return np.linspace(-1, 1, 8, dtype=np.float32)


# ---- encryption --------------------------------------------------------------------------

@pytest.mark.requirement("FRS-DPR-006")
def test_encrypted_template_round_trip_names_its_key_and_hides_the_template():
    ring = KeyRing()
    ring.add("k2026-01")
    envelope = encryption.encrypt_template(template(), METADATA, ring)
    assert envelope["key_id"] == "k2026-01" and envelope["metadata"] == METADATA
    assert template().tobytes() not in base64.b64decode(envelope["ciphertext"])
    assert len(base64.b64decode(envelope["ciphertext"])) == 8 * 4 + 16  # payload + GCM tag
    np.testing.assert_array_equal(encryption.decrypt_template(envelope, ring), template())
    other = encryption.encrypt_template(template(), METADATA, ring)
    assert other["nonce"] != envelope["nonce"], "a fresh nonce for every encryption"


@pytest.mark.requirement("FRS-DPR-006")
@pytest.mark.parametrize("tamper, what", [
    (lambda e: e.update(ciphertext=base64.b64encode(
        bytes([base64.b64decode(e["ciphertext"])[0] ^ 1])
        + base64.b64decode(e["ciphertext"])[1:]).decode()), "flipped ciphertext bit"),
    (lambda e: e.update(ciphertext=base64.b64encode(
        base64.b64decode(e["ciphertext"])[:-4]).decode()), "truncated ciphertext"),
    (lambda e: e["metadata"].update(template_id="t-0002"), "metadata moved to another record"),
    (lambda e: e["metadata"].update(algorithm_version="2.0"), "metadata changed"),
    (lambda e: e.update(nonce=base64.b64encode(bytes(12)).decode()), "nonce replaced"),
])
def test_tampered_ciphertext_or_metadata_is_detected(tamper, what):
    ring = KeyRing()
    ring.add("k1")
    envelope = copy.deepcopy(encryption.encrypt_template(template(), METADATA, ring))
    tamper(envelope)
    with pytest.raises(TemplateIntegrityError, match="fails authentication under key 'k1'"):
        encryption.decrypt_template(envelope, ring)


@pytest.mark.requirement("FRS-DPR-006")
def test_wrong_key_and_unknown_key_are_detected():
    ring = KeyRing()
    ring.add("k1")
    envelope = encryption.encrypt_template(template(), METADATA, ring)
    impostor = KeyRing()
    impostor.add("k1")  # same id, another key
    with pytest.raises(TemplateIntegrityError, match="not the one that encrypted it"):
        encryption.decrypt_template(envelope, impostor)
    with pytest.raises(TemplateIntegrityError, match="key 'k1' is not in the key ring"):
        encryption.decrypt_template(envelope, KeyRing())
    relabelled = {**envelope, "key_id": "k2"}
    impostor.add("k2", ring.keys["k1"])
    with pytest.raises(TemplateIntegrityError, match="fails authentication"):
        encryption.decrypt_template(relabelled, impostor)  # the key id is bound too
    with pytest.raises(TemplateIntegrityError, match="not valid base64"):
        encryption.decrypt_template({**envelope, "nonce": "***"}, ring)


@pytest.mark.requirement("FRS-DPR-006")
def test_key_rotation_re_encrypts_under_the_new_key():
    ring = KeyRing()
    ring.add("k2026")
    old = encryption.encrypt_template(template(), METADATA, ring)
    ring.add("k2027")
    new = encryption.rotate(old, ring)
    assert new["key_id"] == "k2027" and new["ciphertext"] != old["ciphertext"]
    assert encryption.rotate(new, ring) is new
    del ring.keys["k2026"]  # the retired key is destroyed
    np.testing.assert_array_equal(encryption.decrypt_template(new, ring), template())
    with pytest.raises(TemplateIntegrityError, match="not in the key ring"):
        encryption.decrypt_template(old, ring)
    with pytest.raises(InputError, match="already in the key ring"):
        ring.add("k2027")
    with pytest.raises(InputError, match="AES-256 needs 32"):
        ring.add("short", b"0" * 16)


@pytest.mark.requirement("FRS-TPL-001")
def test_template_metadata_must_be_complete():
    assert encryption.template_metadata_problems(METADATA) == []
    partial = {k: v for k, v in METADATA.items() if k not in ("dtype", "algorithm_version")}
    assert encryption.template_metadata_problems(partial) == [
        "metadata has no 'algorithm_version'", "metadata has no 'dtype'"]
    protected = {**METADATA, "dtype": "uint8-bits", "protected": True}
    assert encryption.template_metadata_problems(protected) == [
        "a protected template's metadata has no 'transform_id'"]
    assert encryption.template_metadata_problems({**METADATA, "dimension": 0})
    ring = KeyRing()
    ring.add("k1")
    with pytest.raises(InputError, match="metadata has no 'dtype'"):
        encryption.encrypt_template(template(), partial, ring)
    with pytest.raises(InputError, match="does not match metadata dimension"):
        encryption.encrypt_template(template()[:4], METADATA, ring)


# ---- the cancelable transform ------------------------------------------------------------

@pytest.mark.requirement("FRS-DPR-008")
def test_transform_is_keyed_orthogonal_renewable_and_keeps_bits_only():
    key = b"k" * 32
    matrix = cancelable.transform_matrix(key, "app-1", 64)
    np.testing.assert_allclose(matrix @ matrix.T, np.eye(64), atol=1e-10)
    np.testing.assert_array_equal(matrix, cancelable.transform_matrix(key, "app-1", 64))
    assert not np.allclose(matrix, cancelable.transform_matrix(key, "app-2", 64))
    assert not np.allclose(matrix, cancelable.transform_matrix(b"j" * 32, "app-1", 64))
    x, _ = cost.synthetic_embeddings(50, 1, dimension=64, seed=3)
    first = cancelable.protect(x, key, "issue-1")
    assert first.dtype == np.uint8 and set(np.unique(first)) <= {0, 1}
    renewed = cancelable.protect(x, key, "issue-2")
    # The same faces after renewal: about half the bits agree, as for unrelated templates.
    agreement = np.diag(cancelable.bit_similarity(first, renewed))
    assert 0.4 < agreement.mean() < 0.6
    np.testing.assert_array_equal(cancelable.protect(x, key, "issue-1"), first)
    with pytest.raises(InputError, match="too short"):
        cancelable.protect(x, b"short", "t")
    with pytest.raises(InputError, match="NaN"):
        cancelable.protect(np.full((1, 64), np.nan), key, "t")


# ---- unlinkability -----------------------------------------------------------------------

@pytest.mark.requirement("FRS-DPR-009")
def test_d_sys_known_answers_worked_by_hand():
    # 20 mated and 20 non-mated scores give 2 bins over [0.1, 0.9] of width 0.4.
    # Mated: 5 in the low bin, 15 in the high one; non-mated the reverse.  Densities:
    # p_m = (0.625, 1.875), p_nm = (1.875, 0.625); LR = (1/3, 3); D(s) = (0, 2·3/4 − 1 = 0.5).
    # Trapezoid over the centres 0.3 and 0.7: (0 + 1.875·0.5) / 2 · 0.4 = 0.1875.
    mated = [0.1] * 5 + [0.9] * 15
    non_mated = [0.1] * 15 + [0.9] * 5
    assert unlinkability.d_sys(mated, non_mated) == pytest.approx(0.1875)
    # Fully separated: D = 1 in the high bin (no non-mated score there): (0 + 2.5) / 2 · 0.4.
    assert unlinkability.d_sys([0.9] * 20, [0.1] * 20) == pytest.approx(0.5)
    # Identical distributions: LR = 1 everywhere, so D = 0.
    assert unlinkability.d_sys([0.1, 0.9] * 10, [0.1, 0.9] * 10) == 0.0
    # A prior that favours non-mated pairs (ω = 1/3) cancels LR = 3.
    assert unlinkability.d_sys(mated, non_mated, omega=1 / 3) == 0.0


@pytest.mark.requirement("FRS-DPR-009")
def test_d_sys_agrees_with_the_authors_reference_example():
    # The doctest of the port of M. Maouche's code (audmetric.linkability): mated scores
    # uniform on [0, 0.2], non-mated on [0.8, 1], 5000 each, numpy's legacy seed 1.
    np.random.seed(1)
    mated, non_mated = [], []
    for _ in range(5000):
        mated.append(np.random.uniform(0, 0.2))
        non_mated.append(np.random.uniform(0.8, 1.0))
    assert unlinkability.d_sys(mated, non_mated) == pytest.approx(0.9748, abs=1e-12)


def test_d_sys_rejects_unusable_input():
    with pytest.raises(InputError, match="at least 10"):
        unlinkability.d_sys([0.5] * 5, [0.1] * 5)
    with pytest.raises(InputError, match="omega"):
        unlinkability.d_sys([0.5] * 20, [0.1] * 20, omega=0)
    assert unlinkability.d_sys([0.5] * 20, [0.5] * 20) == 0.0


def cross_application(x: np.ndarray, labels: np.ndarray, key_a: bytes, key_b: bytes,
                      transform_id: str = "app") -> float:
    """D↔sys when application A enrols each person's first capture and B the second."""
    first = np.r_[True, labels[1:] != labels[:-1]]
    a = cancelable.protect(x[first], key_a, transform_id)
    b = cancelable.protect(x[~first], key_b, transform_id)
    mated, non_mated = cost.cross_scores(a, b, labels[first])
    return unlinkability.d_sys(mated, non_mated)


@pytest.mark.requirement("FRS-DPR-009", "FRS-DPR-008")
def test_keyed_transform_is_unlinkable_and_an_unkeyed_one_is_not():
    x, labels = cost.synthetic_embeddings(300, 2, dimension=256, noise=1.0, seed=7)
    keyed = cross_application(x, labels, b"A" * 32, b"B" * 32)
    unkeyed = cross_application(x, labels, b"public-constant!", b"public-constant!")
    assert keyed <= MAX_D_SYS
    assert unkeyed > 0.8
    # Without any transform (raw embeddings, cosine) the link is as plain.
    first = np.r_[True, labels[1:] != labels[:-1]]
    similarity = score_matrix(x[first], x[~first], "cosine")
    same = labels[first][:, None] == labels[~first][None, :]
    assert unlinkability.d_sys(similarity[same], similarity[~same]) > 0.8


# ---- the cost of protection --------------------------------------------------------------

@pytest.mark.requirement("FRS-DPR-010", "FRS-DPR-009")
def test_protection_cost_before_and_after_at_the_class_fmr():
    x, labels = cost.synthetic_embeddings(150, 2, dimension=256, noise=1.0, seed=11)
    result = cost.protection_cost(x, labels, b"A" * 32, b"B" * 32, fmr_target=1e-3,
                                  output_bits=512)
    genuine, impostor = cost.split_scores(score_matrix(x, x, "cosine"), labels)
    assert result.genuine == 150 and result.impostor == 300 * 299 // 2 - 150
    assert result.before == fnmr_at_fmr(genuine, impostor, 1e-3)
    bits = cancelable.protect(x, b"A" * 32, "app", 512)
    p_genuine, p_impostor = cost.split_scores(cancelable.bit_similarity(bits, bits), labels)
    assert result.after == fnmr_at_fmr(p_genuine, p_impostor, 1e-3)
    assert result.fnmr_increase == pytest.approx(result.after.fnmr - result.before.fnmr)
    assert result.after.fmr <= 1e-3
    assert result.meets_limits == (result.fnmr_increase <= 0.01 and result.d_sys <= 0.1)
    assert result.to_json()["meets_limits"] == result.meets_limits


@pytest.mark.requirement("FRS-DPR-010")
def test_a_lossy_transform_fails_the_one_point_limit():
    x, labels = cost.synthetic_embeddings(150, 2, dimension=256, noise=1.0, seed=11)
    lossy = cost.protection_cost(x, labels, b"A" * 32, b"B" * 32, fmr_target=1e-3,
                                 output_bits=24)
    assert lossy.fnmr_increase > 0.01 and not lossy.meets_limits
    with pytest.raises(InputError, match="keys A and B are equal"):
        cost.protection_cost(x, labels, b"A" * 32, b"A" * 32)
    with pytest.raises(InputError, match="labels"):
        cost.protection_cost(x, labels[:-1], b"A" * 32, b"B" * 32)


@pytest.mark.requirement("FRS-DPR-010")
def test_the_cost_for_a_1_to_n_class_is_fnir_at_the_class_fpir_by_hand():
    # Three subjects, two captures each; the gallery is the first capture of each, the
    # probes the second ones. Scores of probes (rows: subjects 0, 1, 2) against the gallery:
    similarity = np.full((6, 6), np.nan)
    block = np.array([[0.9, 0.2, 0.3],    # subject 0: mate 0.9, best other 0.3
                      [0.8, 0.6, 0.1],    # subject 1: mate 0.6 ranks 2nd behind 0.8
                      [0.2, 0.1, 0.7]])   # subject 2: mate 0.7, best other 0.2
    labels = np.array([0, 1, 2, 0, 1, 2])
    similarity[np.ix_([3, 4, 5], [0, 1, 2])] = block
    ranks, mates, top = cost.searches(similarity, labels)
    assert ranks.tolist() == [1, 2, 1] and mates.tolist() == [0.9, 0.6, 0.7]
    assert top.tolist() == [0.3, 0.8, 0.2]


@pytest.mark.requirement("FRS-DPR-010")
def test_protection_cost_for_identification_at_the_class_fpir():
    x, labels = cost.synthetic_embeddings(300, 3, dimension=256, noise=1.0, seed=11)
    result = cost.protection_cost(x, labels, b"A" * 32, b"B" * 32, fmr_target=1e-3,
                                  output_bits=512, fpir_target=1e-2)
    ranks, mates, top = cost.searches(score_matrix(x, x, "cosine"), labels)
    expected = fnir_at_fpir(ranks, mates, top, 1e-2, 1)
    assert result.identification_before.fnir == expected.fnir
    assert result.identification_after.fpir <= 1e-2
    assert result.fnir_increase == pytest.approx(result.identification_after.fnir
                                                 - result.identification_before.fnir)
    assert result.meets_limits == (result.fnir_increase <= 0.01 and result.d_sys <= 0.1)
    assert result.to_json()["fnir_increase"] == result.fnir_increase
    assert "fnir_increase" not in cost.protection_cost(x, labels, b"A" * 32, b"B" * 32,
                                                       1e-3, 512).to_json()


# ---- samples -----------------------------------------------------------------------------

@pytest.mark.requirement("FRS-DPR-011")
def test_sample_is_zeroised_after_derivation_even_when_it_fails():
    sample = bytearray(range(1, 201))
    result = samples.derive_and_zeroise(sample, lambda v: np.frombuffer(v, np.uint8)[:4] * 2)
    np.testing.assert_array_equal(result, [2, 4, 6, 8])
    assert sample == bytearray(200)
    image = np.arange(1, 65, dtype=np.uint8).reshape(8, 8)

    def broken(view):
        raise RuntimeError("no face found")
    with pytest.raises(RuntimeError):
        samples.derive_and_zeroise(image, broken)
    assert not image.any()
    with pytest.raises(InputError, match="cannot be zeroised"):
        samples.derive_and_zeroise(b"immutable", lambda v: v)


@pytest.mark.requirement("FRS-DPR-008")
def test_protected_templates_are_irreversible_without_the_key_only():
    """The best linear reconstruction from the bits needs the projection: with the key it
    recovers the face's direction, without it (a guessed key) it recovers nothing."""
    x, _ = cost.synthetic_embeddings(40, 1, dimension=128, seed=9)
    key = b"K" * 32
    bits = cancelable.protect(x, key, "app", 512)
    with_key = np.diag(score_matrix(attack.invert(bits, key, "app", 128), x, "cosine"))
    without = np.diag(score_matrix(attack.invert(bits, b"G" * 32, "app", 128), x, "cosine"))
    assert with_key.mean() > 0.7, "so the key must be kept as secret as the templates"
    assert abs(without.mean()) < 0.05 and np.abs(without).max() < 0.35


@pytest.mark.requirement("FRS-DPR-020")
def test_the_pre_image_of_a_sign_pattern_is_exact_with_the_key():
    """Known answer: for x = Mᵀs (s = ±1, M the key's orthogonal projection) the signs of Mx
    are s, so the pre-image Mᵀ(2b − 1), normalised, is x itself."""
    key = b"K" * 32
    s = np.array([1, -1, -1, 1, 1, 1, -1, 1], dtype=float)
    x = s @ cancelable.transform_matrix(key, "app", 8)
    bits = cancelable.protect(x, key, "app")
    assert bits.tolist() == [[1, 0, 0, 1, 1, 1, 0, 1]]
    np.testing.assert_allclose(attack.invert(bits, key, "app", 8)[0], x / np.linalg.norm(x))


@pytest.mark.requirement("FRS-DPR-020")
def test_success_rate_of_attack_counts_accepted_attempts():
    assert attack.success_rate(np.array([0.1, 0.5, 0.5, 0.9]), 0.5) == 0.75
    assert attack.success_rate(np.array([0.1, 0.2]), 0.5) == 0.0
    with pytest.raises(InputError, match="no attack attempts"):
        attack.success_rate(np.array([]), 0.5)


@pytest.mark.requirement("FRS-DPR-020")
def test_a_stolen_key_reverses_and_survives_renewal_of_the_reference_transform():
    """ISO/IEC 30136's stolen-key case: the rates are the share of the subjects whose
    pre-image is accepted, worked here from the scores; the reference transform fails all
    three (which is why its key is kept secret), a wrong key's pre-image is not accepted."""
    x, labels = cost.synthetic_embeddings(200, 2, dimension=128, noise=1.0, seed=4)
    key, new = b"A" * 32, b"B" * 32
    plain, protected = 0.3, 0.6
    result = attack.stolen_key(x, labels, key, new, plain, protected, 512)
    first, second = x[0::2], x[1::2]  # two captures a subject, in order
    pre = attack.invert(cancelable.protect(first, key, "app", 512), key, "app", 128)
    cosine = np.sum(pre * second, axis=1) / np.linalg.norm(second, axis=1)
    renewed = np.diag(cancelable.bit_similarity(cancelable.protect(pre, new, "app", 512),
                                                cancelable.protect(second, new, "app", 512)))
    assert result.attempts == 200
    assert result.sra_inversion == np.mean(cosine >= plain) > 0.9
    assert result.sra_after_renewal == np.mean(renewed >= protected) > 0.9
    assert result.sra_comparison == 1.0
    guessed = attack.invert(cancelable.protect(first, key, "app", 512), b"G" * 32, "app", 128)
    assert np.mean(np.sum(guessed * second, axis=1) >= plain) < 0.05
    with pytest.raises(InputError, match="renewal issues a new key"):
        attack.stolen_key(x, labels, key, key, plain, protected)
    a, b = (cancelable.protect(x[:20], k, "app", 500) for k in (key, new))
    np.testing.assert_array_equal(cancelable.paired_bit_similarity(a, b),
                                  np.diag(cancelable.bit_similarity(a, b)))


@pytest.mark.requirement("FRS-DPR-020")
def test_the_protection_report_states_the_stolen_key_rates(tmp_path, capsys):
    import json

    from reference_impl.cli import main
    from reference_impl.protect.command import keys

    x, labels = cost.synthetic_embeddings(100, 2, dimension=128, noise=1.0, seed=4)
    path = tmp_path / "emb.npz"
    np.savez(path, embeddings=x, labels=labels)
    main(["protection-cost", str(path), "--fmr", "1e-3", "--bits", "512", "--seed", "s",
          "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    expected = cost.protection_cost(x, labels, *keys("s"), 1e-3, 512)
    key_a, key_b = keys("s")
    direct = attack.stolen_key(x, labels, key_a, key_b, expected.before.threshold,
                               expected.after.threshold, 512)
    assert report["stolen_key"] == {"attempts": 100, "sra_inversion": direct.sra_inversion,
                                    "sra_comparison": direct.sra_comparison,
                                    "sra_after_renewal": direct.sra_after_renewal}
    main(["protection-cost", str(path), "--fmr", "1e-3", "--bits", "512", "--seed", "s"])
    assert f"stolen key, 100 attacks: pre-image accepted {direct.sra_inversion:.4g} " \
           "unprotected (irreversibility)" in capsys.readouterr().out


@pytest.mark.requirement("FRS-DPR-010", "FRS-DPR-009")
def test_protection_cost_command_reports_the_measurement(tmp_path, capsys):
    import json

    from reference_impl.cli import main
    from reference_impl.protect.command import keys

    x, labels = cost.synthetic_embeddings(100, 2, dimension=128, noise=1.0, seed=4)
    path = tmp_path / "emb.npz"
    np.savez(path, embeddings=x, labels=labels)
    argv = ["protection-cost", str(path), "--fmr", "1e-3", "--bits", "512", "--seed", "s"]
    code = main([*argv, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    expected = cost.protection_cost(x, labels, *keys("s"), 1e-3, 512)
    assert report["d_sys"] == expected.d_sys
    assert report["fnmr_increase"] == expected.fnmr_increase
    assert code == (0 if expected.meets_limits else 1)
    assert main(argv) == code  # the text is rendered from the same report
    text = capsys.readouterr().out
    assert f"D<->sys between two keys {expected.d_sys:.6g} (limit {cost.MAX_D_SYS:g})" in text
    assert f"increase {expected.fnmr_increase:.6g}, limit {cost.MAX_FNMR_INCREASE:g}" in text
    assert main(["protection-cost", str(path), "--bits", "8", "--seed", "s"]) == 1
    capsys.readouterr()
    np.savez(tmp_path / "bad.npz", embeddings=x)
    assert main(["protection-cost", str(tmp_path / "bad.npz")]) == 2
    assert "no array 'labels'" in capsys.readouterr().err
