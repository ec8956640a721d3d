# The search's first synonyms: common words of the catalogue in Indonesian and English (and a few
# Javanese names), so that a search in either language finds both. The office extends them in the
# admin; undoing this migration removes only these rows.

from django.db import migrations

SYNONYMS = [
    "kopi, coffee",
    "teh, tea",
    "keripik, chips, crisps",
    "kerupuk, crackers",
    "batik, kain batik, batik cloth",
    "tulis, hand drawn, hand-drawn",
    "tenun, tenunan, weaving, woven, handwoven",
    "lurik, striped handwoven cloth",
    "madu, honey",
    # Palm and coconut sugar are sold under one another's names: one row.
    "gula aren, palm sugar, gula jawa, gula merah, gula semut, gula kelapa, coconut sugar",
    "gula, sugar",
    "kelapa, coconut",
    "jahe, ginger",
    "jamu, herbal drink, herbal tonic",
    "sambal, chili sauce, chilli sauce, chili paste",
    "singkong, cassava",
    "kacang, peanut, peanuts, nuts",
    "cokelat, coklat, chocolate",
    "bandeng, milkfish",
    "ikan, fish",
    "kue, cake, cakes, cookies",
    "minyak, oil",
    "sabun, soap",
    "bambu, bamboo",
    "rotan, rattan",
    "kayu, wood, wooden",
    "jati, teak",
    "mebel, furniture",
    "anyaman, basketry, wickerwork",
    "gerabah, pottery, earthenware, terracotta",
    "keramik, ceramic, ceramics",
    "perak, silver",
    "tas, bag, bags",
    "selendang, scarf, shawl",
    "sarung, sarong",
    "kain, cloth, fabric",
    "kemeja, shirt",
    "oleh oleh, souvenir, souvenirs",
    "hadiah, gift, gifts",
    "parsel, hamper, hampers",
]


def seed(apps, schema_editor):
    SearchSynonym = apps.get_model("booths", "SearchSynonym")
    for phrases in SYNONYMS:
        SearchSynonym.objects.get_or_create(phrases=phrases)


def unseed(apps, schema_editor):
    apps.get_model("booths", "SearchSynonym").objects.filter(phrases__in=SYNONYMS).delete()


class Migration(migrations.Migration):
    dependencies = [("booths", "0005_search")]

    operations = [migrations.RunPython(seed, unseed)]
