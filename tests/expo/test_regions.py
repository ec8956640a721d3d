"""Regions and sectors: loaded by migration 0002 from expo/data/, and `load_regions` for more."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from expo import regions
from expo.models import Region, Sector

pytestmark = pytest.mark.django_db

HEADER = "province,code,name,kind\n"


def test_central_java_is_loaded_by_the_migration():
    jateng = Region.objects.filter(province="Jawa Tengah")
    assert jateng.count() == 35
    assert jateng.filter(kind="kabupaten").count() == 29
    assert set(jateng.filter(kind="kota").values_list("name", flat=True)) == {
        "Semarang",
        "Surakarta",
        "Salatiga",
        "Magelang",
        "Pekalongan",
        "Tegal",
    }
    expected = {
        "33.01": ("Cilacap", "kabupaten"),
        "33.02": ("Banyumas", "kabupaten"),
        "33.08": ("Magelang", "kabupaten"),
        "33.19": ("Kudus", "kabupaten"),
        "33.20": ("Jepara", "kabupaten"),
        "33.22": ("Semarang", "kabupaten"),
        "33.29": ("Brebes", "kabupaten"),
        "33.71": ("Magelang", "kota"),
        "33.72": ("Surakarta", "kota"),
        "33.73": ("Salatiga", "kota"),
        "33.74": ("Semarang", "kota"),
        "33.75": ("Pekalongan", "kota"),
        "33.76": ("Tegal", "kota"),
    }
    for code, (name, kind) in expected.items():
        region = Region.objects.get(code=code)
        assert (region.name, region.kind) == (name, kind), code
    # Regencies are 33.01–33.29 without gaps; cities 33.71–33.76.
    codes = sorted(jateng.values_list("code", flat=True))
    assert codes == [f"33.{n:02d}" for n in range(1, 30)] + [f"33.{n}" for n in range(71, 77)]
    assert str(Region.objects.get(code="33.74")) == "Kota Semarang"
    assert str(Region.objects.get(code="33.22")) == "Kab. Semarang"


def test_sectors_are_loaded_in_order_in_both_languages():
    sectors = list(Sector.objects.order_by("position"))
    assert [s.slug for s in sectors] == [
        "kuliner",
        "kriya",
        "fashion",
        "agribisnis",
        "furnitur",
        "jasa",
        "lainnya",
    ]
    kuliner = sectors[0]
    assert (kuliner.name_en, kuliner.name_id) == ("Food and drink", "Kuliner (makanan dan minuman)")
    assert Sector.objects.get(slug="fashion").name_id == "Fesyen"
    for sector in sectors:
        assert len(sector.icon) <= 8 and sector.icon.isascii()


def test_loading_the_defaults_again_changes_nothing():
    before = list(Region.objects.order_by("code").values_list("code", "name", "kind", "id"))
    regions.load_defaults()
    after = list(Region.objects.order_by("code").values_list("code", "name", "kind", "id"))
    assert before == after
    assert Sector.objects.count() == 7


def test_load_regions_creates_and_updates(tmp_path, capsys):
    Region.objects.create(province="DI Yogyakarta", code="34.71", name="Jogja", kind="kota")
    path = tmp_path / "diy.csv"
    path.write_text(
        HEADER
        + "DI Yogyakarta,34.01,Kulon Progo,kabupaten\n"
        + "DI Yogyakarta,34.02,Bantul,kabupaten\n"
        + "\n"
        + "DI Yogyakarta,34.03,Gunungkidul,Kabupaten\n"
        + "DI Yogyakarta,34.04,Sleman,kabupaten\n"
        + "DI Yogyakarta,34.71,Yogyakarta,kota\n",
        encoding="utf-8",
    )
    call_command("load_regions", str(path))
    out = capsys.readouterr().out
    assert "4 created, 1 updated, 0 unchanged" in out
    assert Region.objects.filter(province="DI Yogyakarta").count() == 5
    assert Region.objects.get(code="34.71").name == "Yogyakarta"
    assert Region.objects.get(code="34.03").kind == "kabupaten"

    call_command("load_regions", str(path))
    assert "0 created, 0 updated, 5 unchanged" in capsys.readouterr().out


def test_a_bad_row_names_its_line_and_changes_nothing(tmp_path):
    Region.objects.create(province="DI Yogyakarta", code="34.71", name="Jogja", kind="kota")
    before = set(Region.objects.values_list("code", "name", "kind"))
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER
        + "DI Yogyakarta,34.01,Kulon Progo,kabupaten\n"  # line 2: good
        + "DI Yogyakarta,34.71,Yogyakarta,kota\n"  # line 3: good (an update)
        + "DI Yogyakarta,34.2,Bantul,kabupaten\n"  # line 4: bad code
        + "DI Yogyakarta,34.72,Sleman,kabupaten\n"  # line 5: city code for a regency
        + "DI Yogyakarta,34.04,Kota Sleman,desa\n",  # line 6: bad kind, prefixed name
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as raised:
        call_command("load_regions", str(path))
    message = str(raised.value)
    assert "nothing was changed" in message
    assert "line 4: code '34.2'" in message
    assert "line 5: code 34.72 is a city code" in message
    assert "line 6: kind 'desa'" in message
    assert "line 6: write the name without" in message
    assert "line 2" not in message and "line 3" not in message
    assert set(Region.objects.values_list("code", "name", "kind")) == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"province,code,name\nX,11.01,Aceh Selatan\n", "missing column(s) kind"),
        (HEADER.encode(), "no rows"),
        (HEADER.encode() + b"Aceh,11.01,Simeulue\n", "line 2: expected 4 values"),
        (HEADER.encode() + b"Aceh,11.01,Simeulue,kabupaten\nAceh,11.01,Singkil,kabupaten\n",
         "line 3: code 11.01 is already used on line 2"),
        (HEADER.encode() + b"Aceh,11.01,Simeulue,kabupaten\nAceh,12.02,Singkil,kabupaten\n",
         "line 3: code 12.02 does not start with 11"),
        (HEADER.encode() + "Jawa Tengah,33.01,Cilacap\xe9,kabupaten\n".encode("latin-1"),
         "not UTF-8"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_with_a_clear_error(tmp_path, content, expected):
    count = Region.objects.count()
    path = tmp_path / "regions.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="nothing was changed") as raised:
        call_command("load_regions", str(path))
    assert expected in str(raised.value)
    assert Region.objects.count() == count


def test_a_region_stored_under_another_code_is_refused(tmp_path):
    path = tmp_path / "clash.csv"
    path.write_text(HEADER + "Jawa Tengah,33.30,Cilacap,kabupaten\n", encoding="utf-8")
    with pytest.raises(CommandError, match="already stored with code 33.01"):
        call_command("load_regions", str(path))
    assert not Region.objects.filter(code="33.30").exists()


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_regions", str(tmp_path / "nope.csv"))


def test_dry_run_checks_and_saves_nothing(tmp_path, capsys):
    path = tmp_path / "bali.csv"
    path.write_text(HEADER + "Bali,51.71,Denpasar,kota\n", encoding="utf-8")
    call_command("load_regions", str(path), "--dry-run")
    assert "1 created" in capsys.readouterr().out
    assert not Region.objects.filter(code="51.71").exists()
