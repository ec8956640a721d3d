"""The demo expo's vendors (UMKM of Central Java), their booths and products, in both languages.

Trusted, hand-written data read by ``expo.demo.booths``. Businesses and owners are fictional; the products
and places are the real specialities of each regency or city (batik of Pekalongan, Solo and Lasem,
jenang Kudus, carica Wonosobo, kopi Temanggung, mebel Jepara, lurik Klaten, gerabah Bayat …).
Prices are whole rupiah; weights are grams as shipped.
"""

from __future__ import annotations

from typing import NamedTuple


class Item(NamedTuple):
    name_en: str
    name_id: str
    price: int
    grams: int


class Line(NamedTuple):
    """Products that share a category, a description and selling terms."""

    category: str
    about_en: str
    about_id: str
    items: tuple[Item, ...]
    preorder: tuple[int, int] | None = None  # (lead days, quota) when made to order
    min_order: int = 1


class Maker(NamedTuple):
    name: str
    owner: str
    region: str  # Kemendagri code, see expo/data/regions_jawa_tengah.csv
    sector: str
    place: str
    size: str  # mikro | kecil | menengah
    tagline_en: str
    tagline_id: str
    story_en: str
    story_id: str
    lines: tuple[Line, ...]
    halal: bool = False
    permit: str = ""  # "" | "pirt" | "bpom"
    stock: str = "ready"  # ready | limited | preorder (what the application said)


class Applicant(NamedTuple):
    """A vendor whose application is still open: submitted, or sent back for changes."""

    name: str
    owner: str
    region: str
    sector: str
    place: str
    story_id: str
    motivation: str
    status: str = "submitted"  # submitted | changes_requested
    reason: str = ""
    permit: str = ""
    halal: bool = False
    stock: str = "ready"


def I(name_en: str, name_id: str, price: int, grams: int) -> Item:  # noqa: E743
    return Item(name_en, name_id, price, grams)


def L(
    category: str,
    about_en: str,
    about_id: str,
    *items: Item,
    preorder: tuple[int, int] | None = None,
    min_order: int = 1,
) -> Line:
    return Line(category, about_en, about_id, items, preorder, min_order)


KULINER: tuple[Maker, ...] = (
    Maker(
        name="Jenang Sekar Kudus",
        owner="Hj. Sudarmi",
        region="33.19",
        sector="kuliner",
        place="Kec. Kota Kudus",
        size="kecil",
        tagline_en="Jenang Kudus stirred for eight hours, since 1987",
        tagline_id="Jenang Kudus diaduk delapan jam, sejak 1987",
        story_en="Three generations of the family have stirred jenang in the same copper pans. Glutinous rice, "
        "coconut milk and palm sugar, cooked slowly over a wood fire, with no preservatives.",
        story_id="Tiga generasi keluarga kami mengaduk jenang di wajan tembaga yang sama. Tepung ketan, santan "
        "dan gula jawa dimasak perlahan di atas tungku kayu, tanpa bahan pengawet.",
        lines=(
            L(
                "snack",
                "Soft, chewy jenang cut in bite-size pieces and wrapped one by one. Keeps for a month.",
                "Jenang lembut dan kenyal, dipotong kecil dan dibungkus satu per satu. Tahan sebulan.",
                I("Jenang Kudus, original, 250 g", "Jenang Kudus original, 250 g", 25_000, 270),
                I("Jenang Kudus, original, 500 g", "Jenang Kudus original, 500 g", 45_000, 530),
                I("Jenang Kudus, durian, 250 g", "Jenang Kudus durian, 250 g", 30_000, 270),
                I("Jenang Kudus, pandan, 250 g", "Jenang Kudus pandan, 250 g", 27_000, 270),
                I("Jenang Kudus, sesame, 250 g", "Jenang Kudus wijen, 250 g", 28_000, 270),
            ),
            L(
                "snack",
                "Six flavours of jenang in a woven bamboo box, ready to give.",
                "Enam rasa jenang dalam besek bambu, siap dijadikan oleh-oleh.",
                I("Jenang gift box, six flavours", "Kotak hadiah jenang enam rasa", 95_000, 1_100),
            ),
            L(
                "snack",
                "Hampers for Eid, weddings and company gifts, made to order with your greeting card.",
                "Parsel untuk Lebaran, pernikahan dan hadiah perusahaan, dibuat sesuai pesanan dengan kartu ucapan Anda.",
                I("Jenang hamper, twelve flavours", "Parsel jenang dua belas rasa", 185_000, 2_200),
                preorder=(7, 60),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Carica Dieng Lestari",
        owner="Sri Mulyani",
        region="33.07",
        sector="kuliner",
        place="Kec. Kejajar",
        size="kecil",
        tagline_en="Carica papaya from the Dieng plateau, 2,000 m up",
        tagline_id="Carica dari dataran tinggi Dieng, 2.000 mdpl",
        story_en="Carica is a small mountain papaya that grows only in cold highlands. We buy from 40 farmers "
        "around Kejajar and preserve the fruit in light syrup the same week it is picked.",
        story_id="Carica adalah pepaya gunung yang hanya tumbuh di dataran tinggi yang dingin. Kami membeli "
        "dari 40 petani di sekitar Kejajar dan mengolah buahnya dalam sirup ringan di minggu yang sama.",
        lines=(
            L(
                "snack",
                "Carica halves in light syrup, in cups sealed for travel. No colouring, no preservatives.",
                "Carica dalam sirup ringan, dalam cup tersegel untuk perjalanan. Tanpa pewarna dan pengawet.",
                I("Carica in syrup, box of 6 cups", "Manisan carica, isi 6 cup", 42_000, 1_000),
                I("Carica in syrup, box of 12 cups", "Manisan carica, isi 12 cup", 80_000, 1_900),
                I("Carica jam, 200 g jar", "Selai carica, toples 200 g", 28_000, 320),
            ),
            L(
                "drink",
                "Drinks of the Dieng plateau, made in our kitchen in Kejajar.",
                "Minuman khas dataran tinggi Dieng, dibuat di dapur kami di Kejajar.",
                I("Carica syrup, 600 ml", "Sirup carica, 600 ml", 38_000, 800),
                I("Purwaceng herbal coffee, 10 sachets", "Kopi purwaceng, 10 sachet", 35_000, 220),
            ),
            L(
                "snack",
                "Thin-sliced Dieng potatoes, fried in small batches.",
                "Kentang Dieng diiris tipis, digoreng sedikit demi sedikit.",
                I("Dieng potato chips, 200 g", "Keripik kentang Dieng, 200 g", 25_000, 230),
                I(
                    "Dieng potato chips, spicy, 200 g",
                    "Keripik kentang Dieng pedas, 200 g",
                    26_000,
                    230,
                ),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Keripik Tempe Sari Kedelai",
        owner="Budi Santoso",
        region="33.02",
        sector="kuliner",
        place="Kec. Purwokerto Selatan",
        size="kecil",
        tagline_en="Paper-thin tempe chips from Purwokerto",
        tagline_id="Keripik tempe setipis kertas dari Purwokerto",
        story_en="We make our own tempe every morning from non-GMO local soybeans, slice it thin by hand and fry "
        "it in a flour batter with garlic and kencur, the way Banyumas has always done.",
        story_id="Kami membuat tempe sendiri setiap pagi dari kedelai lokal non-GMO, mengirisnya tipis dengan "
        "tangan dan menggorengnya dalam adonan tepung berbumbu bawang putih dan kencur, khas Banyumas.",
        lines=(
            L(
                "snack",
                "Crisp tempe chips in a resealable pouch. Made the same week they are shipped.",
                "Keripik tempe renyah dalam kemasan zip. Dibuat di minggu yang sama dengan pengiriman.",
                I("Tempe chips, original, 250 g", "Keripik tempe original, 250 g", 22_000, 270),
                I("Tempe chips, spicy, 250 g", "Keripik tempe pedas, 250 g", 23_000, 270),
                I("Tempe chips, balado, 250 g", "Keripik tempe balado, 250 g", 23_000, 270),
                I("Tempe chips, seaweed, 250 g", "Keripik tempe rumput laut, 250 g", 24_000, 270),
            ),
            L(
                "snack",
                "A plain-packed kilo for shops and resellers, at the reseller price.",
                "Kemasan polos satu kilo untuk toko dan reseller, dengan harga reseller.",
                I(
                    "Tempe chips, 1 kg reseller pack",
                    "Keripik tempe 1 kg untuk reseller",
                    80_000,
                    1_050,
                ),
                min_order=2,
            ),
            L(
                "food",
                "Everything for mendoan at home: the Banyumas half-fried tempe.",
                "Semua untuk membuat mendoan di rumah, tempe setengah matang khas Banyumas.",
                I("Mendoan batter mix, 500 g", "Tepung bumbu mendoan, 500 g", 18_000, 520),
                I("Frozen mendoan tempe, 10 slices", "Tempe mendoan beku, 10 lembar", 30_000, 700),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Tahu Kalibening Pak Slamet",
        owner="Slamet Riyadi",
        region="33.73",
        sector="kuliner",
        place="Kalibening, Kec. Tingkir",
        size="mikro",
        tagline_en="Tofu from the Kalibening tofu village of Salatiga",
        tagline_id="Tahu dari kampung tahu Kalibening, Salatiga",
        story_en="Kalibening has made tofu for three generations. We press ours from local soybeans with the "
        "spring water of Salatiga and ship it frozen with ice packs.",
        story_id="Kalibening membuat tahu sejak tiga generasi. Tahu kami dibuat dari kedelai lokal dengan mata "
        "air Salatiga, lalu dikirim beku dengan ice gel.",
        lines=(
            L(
                "food",
                "Frozen, vacuum-packed and shipped with ice packs (Central Java and Yogyakarta only).",
                "Beku, dikemas vakum dan dikirim dengan ice gel (hanya Jawa Tengah dan DIY).",
                I(
                    "Tofu stuffed with beef meatball (tahu bakso), 10 pcs",
                    "Tahu bakso sapi, 10 biji",
                    35_000,
                    600,
                ),
                I(
                    "Tofu stuffed with beef meatball (tahu bakso), 20 pcs",
                    "Tahu bakso sapi, 20 biji",
                    65_000,
                    1_150,
                ),
                I("Yellow tofu, 20 pcs", "Tahu kuning, 20 biji", 25_000, 900),
                I("Soy milk, 1 litre", "Susu kedelai, 1 liter", 15_000, 1_100),
            ),
            L(
                "snack",
                "Crunchy snacks from the tofu kitchen.",
                "Camilan renyah dari dapur tahu kami.",
                I("Tofu crackers, 200 g", "Kerupuk tahu, 200 g", 18_000, 220),
                I("Tofu skin chips, spicy, 150 g", "Keripik kulit tahu pedas, 150 g", 20_000, 170),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Bandeng Presto Juwana Sari Laut",
        owner="Ratna Dewi",
        region="33.18",
        sector="kuliner",
        place="Kec. Juwana",
        size="kecil",
        tagline_en="Boneless milkfish from the ponds of Juwana",
        tagline_id="Bandeng presto dari tambak Juwana",
        story_en="Our milkfish come from the brackish ponds of Juwana. Pressure-cooked for hours with turmeric, "
        "garlic and bay leaves, they can be eaten bones and all.",
        story_id="Bandeng kami berasal dari tambak Juwana. Dimasak presto berjam-jam dengan kunyit, bawang putih "
        "dan daun salam, sehingga durinya lunak dan bisa dimakan.",
        lines=(
            L(
                "food",
                "Vacuum-packed; keeps 3 days at room temperature, 3 months frozen.",
                "Dikemas vakum; tahan 3 hari di suhu ruang, 3 bulan di freezer.",
                I(
                    "Pressure-cooked milkfish (bandeng presto), 2 fish",
                    "Bandeng presto, isi 2 ekor",
                    55_000,
                    650,
                ),
                I(
                    "Pressure-cooked milkfish (bandeng presto), 4 fish",
                    "Bandeng presto, isi 4 ekor",
                    105_000,
                    1_250,
                ),
                I("Smoked milkfish, 2 fish", "Bandeng asap, isi 2 ekor", 60_000, 600),
                I("Milkfish floss, 150 g", "Abon bandeng, 150 g", 40_000, 200),
                I(
                    "Bandeng presto family pack, 10 fish",
                    "Bandeng presto paket keluarga, 10 ekor",
                    250_000,
                    3_100,
                ),
            ),
            L(
                "snack",
                "Crackers made with milkfish meat, sun-dried in Juwana.",
                "Kerupuk dari daging bandeng, dijemur di Juwana.",
                I("Milkfish crackers, 250 g", "Kerupuk bandeng, 250 g", 25_000, 280),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Wingko Babat Mbok Sum",
        owner="Sumiyati",
        region="33.74",
        sector="kuliner",
        place="Kec. Semarang Utara",
        size="mikro",
        tagline_en="Semarang's coconut cake, baked fresh every day",
        tagline_id="Wingko babat Semarang, dipanggang baru setiap hari",
        story_en="Wingko babat is the cake every traveller takes home from Semarang station. Ours is baked on "
        "clay griddles from young coconut, glutinous rice flour and cane sugar.",
        story_id="Wingko babat adalah oleh-oleh wajib dari Stasiun Semarang. Wingko kami dipanggang di atas "
        "tungku tanah liat dari kelapa muda, tepung ketan dan gula pasir.",
        lines=(
            L(
                "snack",
                "Each wingko wrapped in paper; keeps a week.",
                "Setiap wingko dibungkus kertas; tahan satu minggu.",
                I(
                    "Wingko babat, original, box of 10",
                    "Wingko babat original, isi 10",
                    30_000,
                    550,
                ),
                I(
                    "Wingko babat, original, box of 20",
                    "Wingko babat original, isi 20",
                    55_000,
                    1_050,
                ),
                I(
                    "Wingko babat, chocolate, box of 10",
                    "Wingko babat cokelat, isi 10",
                    35_000,
                    550,
                ),
                I("Wingko babat, durian, box of 10", "Wingko babat durian, isi 10", 38_000, 550),
                I("Wingko babat, jackfruit, box of 10", "Wingko babat nangka, isi 10", 35_000, 550),
                I(
                    "Wingko babat gift box, 4 flavours, 40 pcs",
                    "Kotak hadiah wingko 4 rasa, isi 40",
                    130_000,
                    2_100,
                ),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Telur Asin Sekar Brebes",
        owner="Tarsini",
        region="33.29",
        sector="kuliner",
        place="Kec. Brebes",
        size="kecil",
        tagline_en="Salted duck eggs from Brebes, brick-dust cured",
        tagline_id="Telur asin Brebes, diperam dengan bata merah",
        story_en="Our ducks graze the rice fields of Brebes. Each egg is cured for twelve days in salted "
        "brick dust, then boiled or roasted.",
        story_id="Bebek kami digembalakan di sawah Brebes. Setiap telur diperam dua belas hari dalam adonan "
        "bata merah dan garam, lalu direbus atau dipanggang.",
        lines=(
            L(
                "food",
                "Packed egg by egg in a padded box; keeps three weeks.",
                "Dikemas per butir dalam kotak berbantalan; tahan tiga minggu.",
                I("Salted duck eggs, boiled, 10 pcs", "Telur asin rebus, 10 butir", 45_000, 850),
                I(
                    "Salted duck eggs, roasted, 10 pcs",
                    "Telur asin panggang, 10 butir",
                    55_000,
                    850,
                ),
                I(
                    "Salted duck eggs, one tray of 30",
                    "Telur asin rebus, 1 tray isi 30",
                    125_000,
                    2_500,
                ),
                I("Salted egg sambal, 150 g", "Sambal telur asin, 150 g", 30_000, 250),
            ),
            L(
                "snack",
                "Crisps coated in a salted-egg-yolk sauce.",
                "Camilan berbalut saus kuning telur asin.",
                I(
                    "Salted egg cassava chips, 100 g",
                    "Keripik singkong telur asin, 100 g",
                    25_000,
                    130,
                ),
                I("Salted egg fish skin, 100 g", "Kulit ikan telur asin, 100 g", 35_000, 130),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Lanting Ibu Ratmi",
        owner="Ratmi",
        region="33.05",
        sector="kuliner",
        place="Kec. Kuwarasan",
        size="mikro",
        tagline_en="Lanting, the cassava rings of Kebumen",
        tagline_id="Lanting, camilan singkong khas Kebumen",
        story_en="Lanting are little figure-eight rings of cassava dough, fried crisp. Ten women of our village "
        "roll them by hand every morning.",
        story_id="Lanting adalah adonan singkong berbentuk angka delapan yang digoreng renyah. Sepuluh ibu di "
        "desa kami memilinnya dengan tangan setiap pagi.",
        lines=(
            L(
                "snack",
                "Crunchy lanting in a resealable pouch.",
                "Lanting renyah dalam kemasan zip.",
                I("Lanting, garlic, 250 g", "Lanting bawang putih, 250 g", 15_000, 270),
                I("Lanting, spicy, 250 g", "Lanting pedas, 250 g", 16_000, 270),
                I("Lanting, cheese, 250 g", "Lanting keju, 250 g", 17_000, 270),
                I("Lanting, balado, 250 g", "Lanting balado, 250 g", 16_000, 270),
                I("Lanting gift tin, four flavours", "Kaleng lanting empat rasa", 65_000, 1_200),
            ),
            L(
                "snack",
                "A plain-packed kilo for shops and resellers.",
                "Kemasan polos satu kilo untuk toko dan reseller.",
                I("Lanting, 1 kg reseller pack", "Lanting 1 kg untuk reseller", 55_000, 1_050),
                min_order=3,
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Tiwul Gunung Sewu",
        owner="Partini",
        region="33.12",
        sector="kuliner",
        place="Kec. Pracimantoro",
        size="mikro",
        tagline_en="Instant tiwul from the limestone hills of Wonogiri",
        tagline_id="Tiwul instan dari perbukitan kapur Wonogiri",
        story_en="Tiwul was the staple of the dry south of Wonogiri. We dry local cassava, grind it and steam "
        "it into an instant tiwul that is ready in ten minutes.",
        story_id="Tiwul adalah makanan pokok di Wonogiri selatan yang kering. Kami mengeringkan singkong lokal, "
        "menggilingnya dan mengukusnya menjadi tiwul instan yang siap dalam sepuluh menit.",
        lines=(
            L(
                "food",
                "Steam for ten minutes and serve with grated coconut. Keeps six months.",
                "Kukus sepuluh menit dan sajikan dengan kelapa parut. Tahan enam bulan.",
                I("Instant tiwul, original, 500 g", "Tiwul instan original, 500 g", 20_000, 520),
                I("Instant tiwul, palm sugar, 500 g", "Tiwul instan gula jawa, 500 g", 22_000, 520),
                I("Instant gathot, 500 g", "Gathot instan, 500 g", 20_000, 520),
                I("Instant tiwul, five packs", "Tiwul instan, paket 5 bungkus", 95_000, 2_600),
            ),
            L(
                "snack",
                "Snacks from Wonogiri cassava.",
                "Camilan dari singkong Wonogiri.",
                I("Cassava crackers (karak), 250 g", "Karak singkong, 250 g", 15_000, 270),
            ),
            L(
                "agri",
                "Fermented cassava flour, a gluten-free flour for cakes and noodles.",
                "Tepung singkong termodifikasi, bebas gluten untuk kue dan mi.",
                I("Mocaf flour, 1 kg", "Tepung mocaf, 1 kg", 18_000, 1_050),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Kawista Lasem",
        owner="Liem Swie Hwa",
        region="33.17",
        sector="kuliner",
        place="Kec. Lasem",
        size="kecil",
        tagline_en="Kawista syrup and kopi lelet from old Lasem",
        tagline_id="Sirup kawista dan kopi lelet dari Lasem",
        story_en="Kawista is a rare wood-apple that grows along the Rembang coast; its syrup tastes a little "
        "like cola. We also roast the fine-ground coffee Lasem drinks as kopi lelet.",
        story_id="Kawista adalah buah langka yang tumbuh di pesisir Rembang; sirupnya sedikit mirip rasa cola. "
        "Kami juga menyangrai kopi bubuk halus yang diminum warga Lasem sebagai kopi lelet.",
        lines=(
            L(
                "drink",
                "Kawista syrup: dilute one part with four parts cold water.",
                "Sirup kawista: campur satu bagian dengan empat bagian air dingin.",
                I("Kawista syrup, 630 ml", "Sirup kawista, 630 ml", 35_000, 950),
                I("Kawista syrup, three bottles", "Sirup kawista, paket 3 botol", 99_000, 2_800),
            ),
            L(
                "snack",
                "Kawista fruit cooked into sweets.",
                "Buah kawista yang diolah menjadi manisan.",
                I("Kawista dodol, 250 g", "Dodol kawista, 250 g", 25_000, 280),
                I("Kawista jam, 200 g jar", "Selai kawista, toples 200 g", 28_000, 320),
            ),
            L(
                "drink",
                "Robusta roasted dark and ground very fine; the grounds are used to paint cigarettes.",
                "Robusta disangrai gelap dan digiling sangat halus; ampasnya dipakai untuk melukis rokok.",
                I(
                    "Kopi lelet, fine-ground coffee, 200 g",
                    "Kopi lelet bubuk halus, 200 g",
                    30_000,
                    230,
                ),
                I(
                    "Kopi lelet gift set with two cups",
                    "Paket kopi lelet dengan dua cangkir",
                    85_000,
                    900,
                ),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Teh Tubruk Slawi Wangi",
        owner="Haryanto",
        region="33.28",
        sector="kuliner",
        place="Kec. Slawi",
        size="kecil",
        tagline_en="Jasmine tea for a proper teh poci",
        tagline_id="Teh melati untuk teh poci yang sebenarnya",
        story_en="Slawi is the home of teh poci: strong jasmine tea brewed in a clay pot and sweetened with "
        "rock sugar. We scent our tea with fresh jasmine from Tegal.",
        story_id="Slawi adalah rumah teh poci: teh melati kental diseduh dalam poci tanah liat dan dimaniskan "
        "dengan gula batu. Teh kami diberi aroma melati segar dari Tegal.",
        lines=(
            L(
                "drink",
                "Loose leaf tea; one spoon makes a whole clay pot.",
                "Teh tubruk; satu sendok cukup untuk satu poci.",
                I("Jasmine loose tea, 250 g", "Teh melati tubruk, 250 g", 28_000, 280),
                I("Green tea, 100 g", "Teh hijau, 100 g", 22_000, 130),
                I(
                    "Jasmine loose tea, 10 packs for shops",
                    "Teh melati tubruk, 10 bungkus untuk toko",
                    140_000,
                    1_400,
                ),
                I("Rock sugar, 500 g", "Gula batu, 500 g", 18_000, 520),
            ),
            L(
                "home",
                "A clay teapot from Tegal with four cups and a pack of tea.",
                "Poci tanah liat Tegal dengan empat cangkir dan sebungkus teh.",
                I(
                    "Teh poci set: clay pot, four cups, tea and rock sugar",
                    "Set teh poci: poci, 4 cangkir, teh dan gula batu",
                    150_000,
                    1_900,
                ),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Enting Gepuk Kacang Mas",
        owner="Tan Giok Lan",
        region="33.73",
        sector="kuliner",
        place="Kec. Sidorejo",
        size="mikro",
        tagline_en="Salatiga's peanut brittle, pounded by hand",
        tagline_id="Enting-enting gepuk Salatiga, ditumbuk dengan tangan",
        story_en="Enting-enting gepuk is pounded peanut brittle, a Salatiga sweet since the 1920s. Roasted "
        "peanuts and sugar are pounded in wooden mortars and cut into slices.",
        story_id="Enting-enting gepuk adalah kacang tumbuk khas Salatiga sejak tahun 1920-an. Kacang sangrai "
        "dan gula ditumbuk dalam lumpang kayu lalu diiris.",
        lines=(
            L(
                "snack",
                "Each slice wrapped in paper; keeps two months.",
                "Setiap iris dibungkus kertas; tahan dua bulan.",
                I("Enting-enting gepuk, 250 g", "Enting-enting gepuk, 250 g", 25_000, 280),
                I("Enting-enting gepuk, 500 g", "Enting-enting gepuk, 500 g", 45_000, 540),
                I(
                    "Enting-enting gepuk with ginger, 250 g",
                    "Enting-enting gepuk jahe, 250 g",
                    27_000,
                    280,
                ),
                I("Ginger brittle (ting-ting jahe), 250 g", "Ting-ting jahe, 250 g", 25_000, 280),
                I(
                    "Enting-enting gepuk gift box, 4 × 250 g",
                    "Kotak hadiah enting-enting gepuk, 4 × 250 g",
                    95_000,
                    1_150,
                ),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Olahan Susu Merapi",
        owner="Wahyuningsih",
        region="33.09",
        sector="kuliner",
        place="Kec. Cepogo",
        size="kecil",
        tagline_en="Dairy sweets from Boyolali, the milk town",
        tagline_id="Camilan susu dari Boyolali, kota susu",
        story_en="Boyolali calls itself the milk town: dairy cows graze the slopes of Merapi and Merbabu. We "
        "buy fresh milk from our neighbours' cooperative every morning.",
        story_id="Boyolali dikenal sebagai kota susu: sapi perah merumput di lereng Merapi dan Merbabu. Kami "
        "membeli susu segar dari koperasi peternak tetangga setiap pagi.",
        lines=(
            L(
                "snack",
                "Made from fresh Boyolali milk, with no milk powder.",
                "Dibuat dari susu segar Boyolali, tanpa susu bubuk.",
                I("Milk crackers, 200 g", "Kerupuk susu, 200 g", 20_000, 230),
                I("Milk dodol, 250 g", "Dodol susu, 250 g", 25_000, 280),
                I("Milk candy, 200 g", "Permen susu, 200 g", 22_000, 230),
                I("Milk caramel, 150 g", "Karamel susu, 150 g", 24_000, 180),
            ),
            L(
                "drink",
                "Cultured milk drinks, shipped chilled (Central Java and Yogyakarta only).",
                "Minuman susu fermentasi, dikirim dingin (hanya Jawa Tengah dan DIY).",
                I("Yoghurt drink, 6 × 250 ml", "Yoghurt minum, 6 × 250 ml", 45_000, 1_600),
                I("Kefir, 500 ml", "Kefir, 500 ml", 35_000, 600),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Etawa Menoreh",
        owner="Sri Hartati",
        region="33.06",
        sector="kuliner",
        place="Kec. Kaligesing",
        size="kecil",
        tagline_en="Goat milk from the Etawa goats of Kaligesing",
        tagline_id="Susu kambing dari kambing Etawa Kaligesing",
        story_en="Kaligesing in the Menoreh hills is famous for its Etawa crossbred goats. Our farmers' group "
        "dries their milk into a powder that keeps.",
        story_id="Kaligesing di perbukitan Menoreh terkenal dengan kambing peranakan Etawa. Kelompok tani kami "
        "mengolah susunya menjadi susu bubuk yang tahan lama.",
        lines=(
            L(
                "drink",
                "Dissolve two spoons in a glass of warm water.",
                "Larutkan dua sendok dalam segelas air hangat.",
                I(
                    "Goat milk powder, original, 200 g",
                    "Susu kambing Etawa bubuk original, 200 g",
                    45_000,
                    230,
                ),
                I(
                    "Goat milk powder, chocolate, 200 g",
                    "Susu kambing Etawa bubuk cokelat, 200 g",
                    47_000,
                    230,
                ),
                I(
                    "Goat milk powder with ginger, 200 g",
                    "Susu kambing Etawa bubuk jahe, 200 g",
                    47_000,
                    230,
                ),
                I(
                    "Goat milk powder, three packs",
                    "Susu kambing Etawa bubuk, paket 3",
                    130_000,
                    700,
                ),
            ),
            L(
                "beauty",
                "Soap made with goat milk, gentle for dry skin.",
                "Sabun dari susu kambing, lembut untuk kulit kering.",
                I("Goat milk soap, three bars", "Sabun susu kambing, 3 batang", 35_000, 300),
            ),
            L(
                "snack",
                "Chewy candy made with goat milk and palm sugar.",
                "Permen kenyal dari susu kambing dan gula jawa.",
                I("Goat milk candy, 100 g", "Permen susu kambing, 100 g", 20_000, 130),
            ),
        ),
        halal=True,
        permit="bpom",
    ),
    Maker(
        name="Nopia Mino Bu Tarsih",
        owner="Tarsih",
        region="33.02",
        sector="kuliner",
        place="Kec. Sokaraja",
        size="mikro",
        tagline_en="Nopia and getuk goreng from Sokaraja",
        tagline_id="Nopia dan getuk goreng dari Sokaraja",
        story_en="Nopia are crisp shells baked on the walls of a clay kiln and filled with palm sugar and "
        "fried shallot. Sokaraja also gave Banyumas its getuk goreng.",
        story_id="Nopia adalah kue bercangkang renyah yang dipanggang di dinding tungku tanah liat, berisi gula "
        "jawa dan bawang goreng. Sokaraja juga terkenal dengan getuk gorengnya.",
        lines=(
            L(
                "snack",
                "Baked in a clay kiln; keeps three weeks.",
                "Dipanggang di tungku tanah liat; tahan tiga minggu.",
                I(
                    "Nopia, palm sugar and shallot, box of 10",
                    "Nopia gula jawa bawang, isi 10",
                    20_000,
                    350,
                ),
                I("Mino (mini nopia), 250 g", "Mino, 250 g", 18_000, 280),
                I("Mino, durian, 250 g", "Mino durian, 250 g", 22_000, 280),
                I(
                    "Sokaraja snack box: nopia, mino and getuk goreng",
                    "Kotak oleh-oleh Sokaraja: nopia, mino dan getuk goreng",
                    75_000,
                    1_300,
                ),
            ),
            L(
                "snack",
                "Fried cassava getuk with palm sugar; keeps five days.",
                "Getuk singkong goreng dengan gula jawa; tahan lima hari.",
                I("Getuk goreng, 500 g", "Getuk goreng, 500 g", 25_000, 550),
                I("Getuk goreng, 1 kg", "Getuk goreng, 1 kg", 45_000, 1_050),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Slondok Mbah Karto",
        owner="Kartini",
        region="33.71",
        sector="kuliner",
        place="Kec. Magelang Tengah",
        size="mikro",
        tagline_en="Slondok and getuk trio from Magelang",
        tagline_id="Slondok dan getuk trio khas Magelang",
        story_en="Slondok are the crunchy cassava rings of Magelang; getuk trio is the three-coloured cassava "
        "cake that visitors bring home. Mbah Karto started frying slondok in 1972.",
        story_id="Slondok adalah camilan singkong renyah khas Magelang; getuk trio adalah getuk tiga warna yang "
        "menjadi oleh-oleh. Mbah Karto mulai menggoreng slondok pada tahun 1972.",
        lines=(
            L(
                "snack",
                "Fried in small batches in coconut oil.",
                "Digoreng sedikit demi sedikit dengan minyak kelapa.",
                I("Slondok, original, 250 g", "Slondok original, 250 g", 15_000, 270),
                I("Slondok, spicy, 250 g", "Slondok pedas, 250 g", 16_000, 270),
                I("Magelang snack hamper", "Parsel oleh-oleh Magelang", 95_000, 1_600),
            ),
            L(
                "snack",
                "A plain-packed kilo for shops and resellers.",
                "Kemasan polos satu kilo untuk toko dan reseller.",
                I("Slondok, 1 kg reseller pack", "Slondok 1 kg untuk reseller", 50_000, 1_050),
                min_order=2,
            ),
            L(
                "food",
                "Three layers of steamed cassava; shipped frozen within Central Java.",
                "Tiga lapis singkong kukus; dikirim beku di wilayah Jawa Tengah.",
                I("Getuk trio, one box", "Getuk trio, 1 kotak", 35_000, 800),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Intip Goreng Mbak Wulan",
        owner="Wulandari",
        region="33.72",
        sector="kuliner",
        place="Kec. Pasar Kliwon",
        size="mikro",
        tagline_en="Intip, the crispy rice crust of Solo",
        tagline_id="Intip, kerak nasi renyah khas Solo",
        story_en="Intip is the rice crust left in the pot, dried in the sun and fried. In Solo it is eaten "
        "plain or glazed with palm sugar.",
        story_id="Intip adalah kerak nasi yang dijemur lalu digoreng. Di Solo intip dimakan polos atau disiram "
        "gula jawa.",
        lines=(
            L(
                "snack",
                "Sun-dried and fried to order.",
                "Dijemur dan digoreng sesuai pesanan.",
                I("Intip, plain, 250 g", "Intip polos, 250 g", 20_000, 270),
                I("Intip with palm sugar, 250 g", "Intip gula jawa, 250 g", 24_000, 280),
                I("Intip, spicy, 250 g", "Intip pedas, 250 g", 22_000, 270),
            ),
            L(
                "snack",
                "Other crackers of Solo.",
                "Kerupuk khas Solo lainnya.",
                I("Rice crackers (karak), 500 g", "Karak, 500 g", 18_000, 520),
                I("Beef skin crackers (rambak), 200 g", "Krupuk rambak sapi, 200 g", 30_000, 230),
                I(
                    "Solo cracker box: intip, karak and rambak",
                    "Kotak kerupuk Solo: intip, karak dan rambak",
                    85_000,
                    1_100,
                ),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
)

KRIYA: tuple[Maker, ...] = (
    Maker(
        name="Tembaga Tumang Karya Logam",
        owner="Suparno",
        region="33.09",
        sector="kriya",
        place="Tumang, Kec. Cepogo",
        size="kecil",
        tagline_en="Hand-hammered copper from the village of Tumang",
        tagline_id="Kerajinan tembaga tempa dari Desa Tumang",
        story_en="Tumang on the slope of Merapi has hammered copper for generations. Each piece is raised from "
        "a flat sheet by hand, then polished or given an antique patina.",
        story_id="Tumang di lereng Merapi menempa tembaga turun-temurun. Setiap karya ditempa dari lembaran "
        "datar dengan tangan, lalu dipoles atau diberi warna antik.",
        lines=(
            L(
                "craft",
                "Food-safe copper, tin-lined inside.",
                "Tembaga aman untuk makanan, dilapisi timah di bagian dalam.",
                I(
                    "Hammered copper jug, 1.5 litres",
                    "Kendi tembaga tempa, 1,5 liter",
                    350_000,
                    1_300,
                ),
                I("Copper cups, set of four", "Gelas tembaga, set isi 4", 420_000, 900),
                I("Copper fruit bowl, 30 cm", "Mangkuk buah tembaga, 30 cm", 480_000, 1_500),
                I("Copper flower vase, 40 cm", "Vas bunga tembaga, 40 cm", 650_000, 2_000),
            ),
            L(
                "home",
                "Lamps of pierced copper that throw patterns on the wall.",
                "Lampu tembaga berlubang yang memantulkan pola di dinding.",
                I("Copper wall lamp", "Lampu dinding tembaga", 850_000, 2_500),
                I(
                    "Copper hanging lantern, 60 cm",
                    "Lampion gantung tembaga, 60 cm",
                    1_250_000,
                    4_000,
                ),
                preorder=(14, 10),
            ),
        ),
        stock="limited",
    ),
    Maker(
        name="Gerabah Bayat Putaran Miring",
        owner="Sukarni",
        region="33.10",
        sector="kriya",
        place="Melikan, Kec. Wedi",
        size="mikro",
        tagline_en="Pottery thrown on the slanted wheel of Bayat",
        tagline_id="Gerabah putaran miring dari Bayat",
        story_en="The potters of Melikan throw on a slanted wheel turned by foot, a technique said to come from "
        "Sunan Pandanaran. The slant lets a potter work alone, without a helper to turn the wheel.",
        story_id="Perajin Melikan membuat gerabah dengan putaran miring yang diputar dengan kaki, teknik yang "
        "konon berasal dari Sunan Pandanaran. Kemiringan itu membuat perajin bisa bekerja sendiri.",
        lines=(
            L(
                "craft",
                "Fired terracotta, shipped in straw and double boxes.",
                "Tanah liat bakar, dikirim dengan jerami dan kardus ganda.",
                I("Terracotta vase, 25 cm", "Vas gerabah, 25 cm", 85_000, 1_500),
                I(
                    "Terracotta tea set: pot and four cups",
                    "Set teh gerabah: teko dan 4 cangkir",
                    175_000,
                    2_000,
                ),
                I(
                    "Glazed flower pots, set of three",
                    "Pot bunga glasir, set isi 3",
                    150_000,
                    3_000,
                ),
                I("Terracotta coffee dripper", "Dripper kopi gerabah", 95_000, 600),
            ),
            L(
                "home",
                "Clay pots for cooking on gas or wood; rice cooked in clay tastes sweeter.",
                "Kuali tanah liat untuk kompor gas maupun tungku; nasi yang dimasak di kuali lebih pulen.",
                I("Clay cooking pot (kuali), 20 cm", "Kuali tanah liat, 20 cm", 65_000, 1_800),
            ),
            L(
                "home",
                "A large garden jar thrown in sections and fired for two days.",
                "Gentong taman besar yang dibuat bertahap dan dibakar dua hari.",
                I("Glazed garden jar, 60 cm", "Gentong taman glasir, 60 cm", 850_000, 15_000),
                preorder=(21, 8),
            ),
        ),
    ),
    Maker(
        name="Keramik Sinar Klampok",
        owner="Puji Rahayu",
        region="33.04",
        sector="kriya",
        place="Klampok, Kec. Purwareja Klampok",
        size="kecil",
        tagline_en="Hand-painted ceramics from Klampok",
        tagline_id="Keramik lukis tangan dari Klampok",
        story_en="Klampok has made ceramics since the Dutch opened a kiln there in 1957. We cast, glaze and "
        "paint every piece in our workshop by the Serayu river.",
        story_id="Klampok membuat keramik sejak tungku pertama dibuka di sana pada 1957. Kami mencetak, "
        "mengglasir dan melukis setiap karya di bengkel kami di tepi Sungai Serayu.",
        lines=(
            L(
                "home",
                "Stoneware, safe for food, dishwasher and microwave.",
                "Keramik aman untuk makanan, mesin cuci piring dan microwave.",
                I("Batik-motif ceramic mug", "Mug keramik motif batik", 45_000, 450),
                I("Ceramic plates, set of six", "Piring keramik, set isi 6", 240_000, 3_000),
                I("Ceramic table vase", "Vas meja keramik", 120_000, 900),
            ),
            L(
                "craft",
                "Decorative ceramics, painted by hand.",
                "Keramik hias, dilukis dengan tangan.",
                I("Ceramic piggy bank", "Celengan keramik", 35_000, 700),
                I("Ceramic garden stool", "Kursi taman keramik", 650_000, 12_000),
            ),
            L(
                "home",
                "A full dinner set in one glaze, made to order.",
                "Satu set makan lengkap dalam satu warna glasir, dibuat sesuai pesanan.",
                I("Ceramic dinner set, 24 pieces", "Set makan keramik, 24 buah", 1_250_000, 14_000),
                preorder=(21, 5),
            ),
        ),
    ),
    Maker(
        name="Kuningan Juwana Jaya",
        owner="Hadi Purnomo",
        region="33.18",
        sector="kriya",
        place="Kec. Juwana",
        size="kecil",
        tagline_en="Brass cast and chased in Juwana",
        tagline_id="Kuningan cor dan ukir dari Juwana",
        story_en="Juwana's brass workshops cast in sand moulds and finish each piece with chisel and file. "
        "Their bells hang in temples and hotels across Indonesia.",
        story_id="Bengkel kuningan Juwana mengecor dengan cetakan pasir lalu menyelesaikan setiap karya dengan "
        "pahat dan kikir. Genta buatan mereka tergantung di pura dan hotel di seluruh Indonesia.",
        lines=(
            L(
                "craft",
                "Solid brass, lacquered against tarnish.",
                "Kuningan pejal, dilapisi lak agar tidak kusam.",
                I("Brass bell, 10 cm", "Genta kuningan, 10 cm", 120_000, 600),
                I("Brass candle holders, pair", "Tempat lilin kuningan, sepasang", 280_000, 1_200),
                I("Brass incense burner", "Tempat dupa kuningan", 240_000, 900),
                I(
                    "Brass keychains, set of five",
                    "Gantungan kunci kuningan, set isi 5",
                    60_000,
                    200,
                ),
            ),
            L(
                "home",
                "Door hardware cast to order in antique or polished finish.",
                "Perlengkapan pintu dicor sesuai pesanan, warna antik atau mengilap.",
                I("Brass door handles, pair", "Gagang pintu kuningan, sepasang", 350_000, 1_400),
            ),
            L(
                "craft",
                "Statues cast from our own wax models.",
                "Patung dicor dari model lilin buatan kami sendiri.",
                I(
                    "Brass statue of a Javanese dancer, 30 cm",
                    "Patung penari Jawa kuningan, 30 cm",
                    1_450_000,
                    3_500,
                ),
                preorder=(21, 6),
            ),
        ),
    ),
    Maker(
        name="Perhiasan Monel Kalinyamatan",
        owner="Nur Hidayah",
        region="33.20",
        sector="kriya",
        place="Kec. Kalinyamatan",
        size="mikro",
        tagline_en="Monel jewellery from Kalinyamatan, Jepara",
        tagline_id="Perhiasan monel dari Kalinyamatan, Jepara",
        story_en="Kalinyamatan was the court of Queen Kalinyamat; today its workshops make monel, a silver-bright "
        "alloy that never tarnishes, engraved with Jepara carving motifs.",
        story_id="Kalinyamatan dulu pusat kerajaan Ratu Kalinyamat; kini bengkelnya membuat monel, logam "
        "secerah perak yang tidak berkarat, diukir dengan motif ukir Jepara.",
        lines=(
            L(
                "craft",
                "Nickel-free monel, polished by hand.",
                "Monel bebas nikel, dipoles dengan tangan.",
                I("Woven monel bracelet", "Gelang monel anyam", 85_000, 60),
                I("Monel ring with Jepara carving", "Cincin monel ukir Jepara", 65_000, 40),
                I("Monel necklace", "Kalung monel", 150_000, 60),
                I("Monel earrings", "Anting monel", 55_000, 40),
                I("Monel couple rings, pair", "Cincin couple monel, sepasang", 140_000, 60),
            ),
            L(
                "craft",
                "Engraved with the name you give, ready in a week.",
                "Diukir dengan nama pilihan Anda, selesai dalam seminggu.",
                I("Monel pendant with your name", "Liontin monel ukir nama", 120_000, 50),
                preorder=(7, 30),
            ),
        ),
    ),
    Maker(
        name="Pahat Batu Muntilan",
        owner="Ngatijo",
        region="33.08",
        sector="kriya",
        place="Kec. Muntilan",
        size="kecil",
        tagline_en="Andesite carving from the Merapi stone of Muntilan",
        tagline_id="Pahatan batu andesit Merapi dari Muntilan",
        story_en="The carvers of Muntilan work the grey andesite thrown out by Merapi, the same stone as "
        "Borobudur. Small pieces are carved in stock; large ones to order.",
        story_id="Pemahat Muntilan mengolah batu andesit abu-abu dari Merapi, batu yang sama dengan Borobudur. "
        "Karya kecil tersedia; karya besar dibuat sesuai pesanan.",
        lines=(
            L(
                "home",
                "Solid andesite, hand-finished.",
                "Batu andesit utuh, diselesaikan dengan tangan.",
                I(
                    "Stone mortar and pestle (cobek), 20 cm",
                    "Cobek dan ulekan batu, 20 cm",
                    95_000,
                    3_500,
                ),
                I("Stone candle holder", "Tempat lilin batu", 150_000, 2_000),
                I("Stone soap dish", "Tempat sabun batu", 45_000, 800),
            ),
            L(
                "craft",
                "Carvings after the reliefs of Borobudur and Mendut.",
                "Pahatan meniru relief Borobudur dan Mendut.",
                I("Stone Buddha head, 25 cm", "Kepala Buddha batu, 25 cm", 850_000, 8_000),
            ),
            L(
                "craft",
                "Garden pieces carved to order; shipped by freight on a wooden crate.",
                "Karya taman dipahat sesuai pesanan; dikirim dengan peti kayu lewat ekspedisi.",
                I("Stone garden lantern, 60 cm", "Lampu taman batu, 60 cm", 2_500_000, 45_000),
                I(
                    "Relief panel, Borobudur motif, 40 × 30 cm",
                    "Panel relief motif Borobudur, 40 × 30 cm",
                    1_750_000,
                    20_000,
                ),
                preorder=(30, 4),
            ),
        ),
    ),
    Maker(
        name="Payung Kertas Juwiring",
        owner="Marsono",
        region="33.10",
        sector="kriya",
        place="Kec. Juwiring",
        size="mikro",
        tagline_en="Painted paper umbrellas from Juwiring",
        tagline_id="Payung kertas lukis dari Juwiring",
        story_en="Juwiring makes the oiled-paper umbrellas of Javanese ceremonies. Bamboo ribs, waxed paper and "
        "hand-painted flowers; the big ones shade a bride, the small ones a garden party.",
        story_id="Juwiring membuat payung kertas minyak untuk upacara Jawa. Rangka bambu, kertas berlapis lilin "
        "dan bunga yang dilukis tangan; yang besar memayungi pengantin, yang kecil menghias pesta.",
        lines=(
            L(
                "craft",
                "Bamboo and oiled paper, painted by hand.",
                "Bambu dan kertas minyak, dilukis dengan tangan.",
                I(
                    "Batik-painted paper umbrella, 60 cm",
                    "Payung kertas lukis batik, 60 cm",
                    125_000,
                    600,
                ),
                I(
                    "Paper umbrella for decoration, 120 cm",
                    "Payung kertas hias, 120 cm",
                    275_000,
                    1_500,
                ),
                I(
                    "Mini wedding umbrellas, set of ten",
                    "Payung mini pernikahan, set isi 10",
                    180_000,
                    900,
                ),
            ),
            L(
                "home",
                "A lamp shade built like an umbrella.",
                "Kap lampu yang dibuat seperti payung.",
                I("Paper umbrella lamp shade", "Kap lampu payung kertas", 160_000, 700),
            ),
            L(
                "craft",
                "Painted with your event's colours and name.",
                "Dilukis dengan warna dan nama acara Anda.",
                I(
                    "Custom-painted event umbrella",
                    "Payung lukis pesanan untuk acara",
                    350_000,
                    1_500,
                ),
                preorder=(14, 40),
            ),
        ),
    ),
    Maker(
        name="Anyaman Pandan Srikandi",
        owner="Siti Khotijah",
        region="33.05",
        sector="kriya",
        place="Kec. Karanganyar",
        size="mikro",
        tagline_en="Pandan weaving by the women of Kebumen",
        tagline_id="Anyaman pandan karya ibu-ibu Kebumen",
        story_en="Thirty women weave for us at home between harvests. The pandan grows wild along the southern "
        "coast of Kebumen; it is boiled, dried and dyed before weaving.",
        story_id="Tiga puluh ibu menganyam untuk kami di rumah di sela musim panen. Pandan tumbuh liar di pesisir "
        "selatan Kebumen; daunnya direbus, dijemur dan diwarnai sebelum dianyam.",
        lines=(
            L(
                "craft",
                "Natural pandan, lined with cotton.",
                "Pandan alami, dengan lapisan katun.",
                I("Pandan tote bag", "Tas tote pandan", 85_000, 400),
                I("Pandan clutch", "Clutch pandan", 95_000, 250),
                I("Pandan sun hat", "Topi pandan", 65_000, 200),
            ),
            L(
                "home",
                "Woven pandan for the home.",
                "Anyaman pandan untuk rumah.",
                I(
                    "Pandan storage baskets, set of three",
                    "Keranjang pandan, set isi 3",
                    120_000,
                    900,
                ),
                I("Pandan table mats, set of six", "Tatakan piring pandan, set isi 6", 75_000, 400),
                I("Pandan floor mat (tikar), 2 × 1.5 m", "Tikar pandan, 2 × 1,5 m", 250_000, 2_500),
            ),
        ),
    ),
)

FASHION: tuple[Maker, ...] = (
    Maker(
        name="Batik Pesisir Larasati",
        owner="Hj. Siti Larasati",
        region="33.75",
        sector="fashion",
        place="Kec. Pekalongan Barat",
        size="kecil",
        tagline_en="Coastal batik from the City of Batik",
        tagline_id="Batik pesisiran dari Kota Batik",
        story_en="Pekalongan batik is bright and bold, with the flowers and birds the coast learnt from Chinese, "
        "Arab and Dutch traders. Our twelve batik makers draw and stamp every piece in Pekalongan.",
        story_id="Batik Pekalongan cerah dan berani, dengan bunga dan burung yang dipelajari pesisir dari "
        "pedagang Tionghoa, Arab dan Belanda. Dua belas pembatik kami menulis dan mengecap setiap lembar di Pekalongan.",
        lines=(
            L(
                "batik",
                "Cotton primissima, 2.25 m × 1.1 m, colour-fast.",
                "Katun primisima, 2,25 m × 1,1 m, warna tidak luntur.",
                I(
                    "Batik cap cloth, jlamprang motif",
                    "Kain batik cap motif jlamprang",
                    185_000,
                    400,
                ),
                I(
                    "Batik cloth, hand-drawn and stamped",
                    "Kain batik kombinasi tulis dan cap",
                    425_000,
                    400,
                ),
                I("Batik silk scarf", "Selendang batik sutra", 350_000, 150),
            ),
            L(
                "clothing",
                "Tailored in Pekalongan; sizes S to XXL.",
                "Dijahit di Pekalongan; ukuran S sampai XXL.",
                I(
                    "Men's long-sleeved batik shirt, lined",
                    "Kemeja batik pria lengan panjang, furing",
                    285_000,
                    350,
                ),
                I("Women's batik blouse", "Blus batik wanita", 225_000, 250),
                I("Children's batik shirt", "Kemeja batik anak", 95_000, 180),
            ),
            L(
                "batik",
                "Hand-drawn (tulis) batik: six weeks of work by one batik maker.",
                "Batik tulis: enam minggu pengerjaan oleh satu pembatik.",
                I(
                    "Batik tulis cloth, buketan flowers",
                    "Kain batik tulis motif buketan",
                    1_350_000,
                    400,
                ),
                preorder=(30, 6),
            ),
        ),
        stock="limited",
    ),
    Maker(
        name="Batik Saudagar Laweyan",
        owner="R. Ay. Sekar Pratiwi",
        region="33.72",
        sector="fashion",
        place="Kampung Laweyan, Kec. Laweyan",
        size="menengah",
        tagline_en="Sogan batik from the merchants' quarter of Solo",
        tagline_id="Batik sogan dari kampung saudagar Solo",
        story_en="Laweyan was the quarter of Solo's batik merchants, behind high walls. We keep the brown sogan "
        "colours and the court motifs of Surakarta: parang, kawung and truntum.",
        story_id="Laweyan adalah kampung saudagar batik Solo di balik tembok tinggi. Kami menjaga warna sogan "
        "dan motif keraton Surakarta: parang, kawung dan truntum.",
        lines=(
            L(
                "batik",
                "Cotton primissima, natural sogan dyes.",
                "Katun primisima, pewarna alam sogan.",
                I("Batik cap cloth, kawung motif", "Kain batik cap motif kawung", 225_000, 400),
                I(
                    "Batik cloth, truntum motif for weddings",
                    "Kain batik motif truntum untuk pernikahan",
                    650_000,
                    400,
                ),
            ),
            L(
                "clothing",
                "Tailored in Solo.",
                "Dijahit di Solo.",
                I(
                    "Men's batik shirt, parang motif",
                    "Kemeja batik pria motif parang",
                    325_000,
                    350,
                ),
                I("Batik kimono outer", "Outer kimono batik", 275_000, 300),
                I("Batik tote bag", "Tas tote batik", 95_000, 250),
            ),
            L(
                "batik",
                "Hand-drawn sogan parang; two months of work.",
                "Batik tulis sogan motif parang; dua bulan pengerjaan.",
                I(
                    "Batik tulis sogan cloth, parang motif",
                    "Kain batik tulis sogan motif parang",
                    1_850_000,
                    400,
                ),
                preorder=(45, 4),
            ),
        ),
        stock="limited",
    ),
    Maker(
        name="Batik Lasem Sekar Kencana",
        owner="Oei Siok Lan",
        region="33.17",
        sector="fashion",
        place="Karangturi, Kec. Lasem",
        size="kecil",
        tagline_en="Batik tulis Lasem, where Chinese and Javanese meet",
        tagline_id="Batik tulis Lasem, pertemuan Tionghoa dan Jawa",
        story_en="Lasem batik carries the red of the Chinese merchants and the motifs of Javanese villages. "
        "Our house in Karangturi has drawn batik since 1928.",
        story_id="Batik Lasem membawa warna merah saudagar Tionghoa dan motif desa-desa Jawa. Rumah kami di "
        "Karangturi membatik sejak tahun 1928.",
        lines=(
            L(
                "batik",
                "Hand-drawn on primissima cotton, 2.5 m.",
                "Batik tulis di atas katun primisima, 2,5 m.",
                I(
                    "Batik tulis Lasem, latohan motif",
                    "Batik tulis Lasem motif latohan",
                    950_000,
                    400,
                ),
                I(
                    "Batik tulis Lasem, sekar jagad motif",
                    "Batik tulis Lasem motif sekar jagad",
                    1_450_000,
                    400,
                ),
            ),
            L(
                "batik",
                "Stamped batik in Lasem colours, and things made from it.",
                "Batik cap dengan warna khas Lasem, dan produk dari kain itu.",
                I(
                    "Batik cap Lasem, gunung ringgit motif",
                    "Batik cap Lasem motif gunung ringgit",
                    275_000,
                    400,
                ),
                I("Lasem batik scarf", "Syal batik Lasem", 185_000, 120),
            ),
            L(
                "clothing",
                "Tailored from our own stamped cloth.",
                "Dijahit dari kain batik cap kami sendiri.",
                I("Lasem batik shirt", "Kemeja batik Lasem", 385_000, 350),
            ),
            L(
                "batik",
                "Tiga negeri, 'three lands': dyed red in Lasem, blue in Pekalongan, brown in Solo.",
                "Tiga negeri: merah dicelup di Lasem, biru di Pekalongan, cokelat di Solo.",
                I(
                    "Batik tulis Lasem, tiga negeri motif",
                    "Batik tulis Lasem motif tiga negeri",
                    3_500_000,
                    400,
                ),
                preorder=(60, 3),
            ),
        ),
        stock="preorder",
    ),
    Maker(
        name="Lurik Pedan Ngudi Rahayu",
        owner="Sri Sumarni",
        region="33.10",
        sector="fashion",
        place="Kec. Pedan",
        size="kecil",
        tagline_en="Striped lurik woven on wooden looms in Pedan",
        tagline_id="Lurik Pedan ditenun dengan alat tenun bukan mesin",
        story_en="Pedan has woven lurik, the striped cloth of Javanese farmers and palace servants, for a "
        "century. Our looms are wooden ATBM looms worked by hand and foot.",
        story_id="Pedan menenun lurik, kain lurik para petani dan abdi dalem, sejak seabad lalu. Alat tenun kami "
        "adalah ATBM kayu yang digerakkan tangan dan kaki.",
        lines=(
            L(
                "batik",
                "Cotton lurik, 2 m × 1.1 m.",
                "Lurik katun, 2 m × 1,1 m.",
                I("Hand-woven lurik cloth, 2 m", "Kain lurik tenun ATBM, 2 m", 165_000, 400),
            ),
            L(
                "clothing",
                "Sewn in Klaten from our own lurik.",
                "Dijahit di Klaten dari lurik tenunan kami.",
                I("Lurik men's shirt", "Kemeja lurik pria", 195_000, 350),
                I("Lurik blazer", "Blazer lurik", 425_000, 600),
                I("Lurik tote bag", "Tas tote lurik", 85_000, 250),
            ),
            L(
                "home",
                "Lurik for the table.",
                "Lurik untuk meja makan.",
                I("Lurik table runner", "Taplak meja lurik", 65_000, 200),
            ),
            L(
                "clothing",
                "Uniforms for offices and schools in your colours, from ten pieces.",
                "Seragam kantor dan sekolah dengan warna pilihan, minimal sepuluh potong.",
                I(
                    "Lurik uniform shirt, made to order",
                    "Seragam kemeja lurik pesanan",
                    210_000,
                    350,
                ),
                preorder=(30, 200),
                min_order=10,
            ),
        ),
    ),
    Maker(
        name="Tenun Troso Rara Ayu",
        owner="Rara Ayu Wulandari",
        region="33.20",
        sector="fashion",
        place="Troso, Kec. Pecangaan",
        size="kecil",
        tagline_en="Ikat weaving from Troso, Jepara",
        tagline_id="Tenun ikat dari Troso, Jepara",
        story_en="In Troso the threads are tied and dyed before weaving, so the pattern appears as the cloth "
        "grows on the loom. A single cloth can take three weeks.",
        story_id="Di Troso benang diikat dan dicelup sebelum ditenun, sehingga motif muncul saat kain terbentuk "
        "di alat tenun. Satu kain bisa memakan waktu tiga minggu.",
        lines=(
            L(
                "batik",
                "Cotton ikat woven on ATBM looms.",
                "Tenun ikat katun dengan ATBM.",
                I("Troso ikat cloth, 2 m", "Kain tenun ikat Troso, 2 m", 385_000, 450),
                I("Troso ikat sarong", "Sarung tenun ikat Troso", 275_000, 400),
                I("Troso ikat scarf", "Syal tenun ikat Troso", 150_000, 150),
            ),
            L(
                "clothing",
                "Tailored from our own ikat.",
                "Dijahit dari tenun ikat kami sendiri.",
                I("Troso ikat shirt", "Kemeja tenun ikat Troso", 325_000, 350),
            ),
            L(
                "home",
                "Ikat for the living room.",
                "Tenun ikat untuk ruang tamu.",
                I(
                    "Troso ikat cushion covers, pair",
                    "Sarung bantal tenun Troso, sepasang",
                    120_000,
                    300,
                ),
            ),
            L(
                "batik",
                "Silk-blend ikat with supplementary weft, on the hand loom.",
                "Tenun ikat campuran sutra dengan benang tambahan, dengan alat tenun tangan.",
                I("Troso silk ikat cloth", "Kain tenun ikat sutra Troso", 1_150_000, 450),
                preorder=(30, 5),
            ),
        ),
    ),
    Maker(
        name="Bordir Kerancang Sekar Kudus",
        owner="Hj. Nur Aini",
        region="33.19",
        sector="fashion",
        place="Kec. Kaliwungu",
        size="kecil",
        tagline_en="Kerancang embroidery from Kudus",
        tagline_id="Bordir kerancang khas Kudus",
        story_en="Kudus embroidery is known for kerancang: open-work flowers cut and stitched by hand-guided "
        "machines. Our kebaya and mukena go to buyers in Malaysia and Brunei.",
        story_id="Bordir Kudus terkenal dengan kerancang: bunga berlubang yang dipotong dan dijahit dengan mesin "
        "yang dituntun tangan. Kebaya dan mukena kami dibeli pelanggan di Malaysia dan Brunei.",
        lines=(
            L(
                "clothing",
                "Embroidered on voile and cotton; sizes S to XXL.",
                "Dibordir di atas voal dan katun; ukuran S sampai XXL.",
                I("Kerancang kebaya", "Kebaya kerancang", 650_000, 350),
                I("Embroidered hijab", "Kerudung bordir", 125_000, 150),
                I("Embroidered prayer robe (mukena)", "Mukena bordir", 450_000, 600),
                I("Embroidered koko shirt", "Baju koko bordir", 275_000, 350),
            ),
            L(
                "home",
                "Embroidery for the table.",
                "Bordir untuk meja makan.",
                I("Embroidered tablecloth", "Taplak meja bordir", 225_000, 500),
            ),
            L(
                "clothing",
                "A kebaya cut to your measurements with the colours you choose.",
                "Kebaya dijahit sesuai ukuran badan dengan warna pilihan Anda.",
                I("Made-to-measure kerancang kebaya", "Kebaya kerancang pesanan", 1_250_000, 400),
                preorder=(21, 5),
            ),
        ),
    ),
    Maker(
        name="Batik Maos Rajasa",
        owner="Sri Wahyuni Rajasa",
        region="33.01",
        sector="fashion",
        place="Kec. Maos",
        size="mikro",
        tagline_en="Batik Maos, the forgotten batik of Cilacap",
        tagline_id="Batik Maos, batik Cilacap yang bangkit kembali",
        story_en="Maos batik almost died out in the 1970s. A group of women revived it from the cloths their "
        "grandmothers kept, with its soft browns and the sekar jagad motif.",
        story_id="Batik Maos hampir punah pada tahun 1970-an. Sekelompok ibu menghidupkannya kembali dari kain "
        "simpanan nenek mereka, dengan warna cokelat lembut dan motif sekar jagad.",
        lines=(
            L(
                "batik",
                "Cotton, 2.25 m.",
                "Katun, 2,25 m.",
                I(
                    "Batik tulis Maos, sekar jagad motif",
                    "Batik tulis Maos motif sekar jagad",
                    850_000,
                    400,
                ),
                I("Batik cap Maos", "Batik cap Maos", 195_000, 400),
                I("Batik Maos scarf", "Selendang batik Maos", 145_000, 150),
            ),
            L(
                "clothing",
                "Tailored in Cilacap.",
                "Dijahit di Cilacap.",
                I("Men's batik Maos shirt", "Kemeja batik Maos pria", 285_000, 350),
            ),
            L(
                "batik",
                "Hand-drawn on silk, made to order.",
                "Batik tulis di atas sutra, dibuat sesuai pesanan.",
                I(
                    "Batik tulis Maos on silk, pringgodani motif",
                    "Batik tulis Maos sutra motif pringgodani",
                    2_250_000,
                    300,
                ),
                preorder=(45, 3),
            ),
        ),
    ),
    Maker(
        name="Batik Rifa'iyah Bu Miftah",
        owner="Miftahul Jannah",
        region="33.25",
        sector="fashion",
        place="Kalipucang, Kec. Batang",
        size="mikro",
        tagline_en="Batik Rifa'iyah, drawn by the women of Kalipucang",
        tagline_id="Batik Rifa'iyah karya perempuan Kalipucang",
        story_en="Rifa'iyah batik follows the teaching of a 19th-century scholar: no whole animals, so birds "
        "are drawn cut into parts. Each cloth is drawn while reciting verses.",
        story_id="Batik Rifa'iyah mengikuti ajaran ulama abad ke-19: tidak menggambar makhluk utuh, sehingga "
        "burung digambar terpotong. Setiap kain dibatik sambil melantunkan syair.",
        lines=(
            L(
                "batik",
                "Hand-drawn on cotton, 2.5 m.",
                "Batik tulis di atas katun, 2,5 m.",
                I(
                    "Batik tulis Rifa'iyah, banji motif",
                    "Batik tulis Rifa'iyah motif banji",
                    975_000,
                    400,
                ),
                I("Batik Rifa'iyah scarf", "Selendang batik Rifa'iyah", 250_000, 150),
                I("Batik Rifa'iyah pocket square", "Saputangan batik Rifa'iyah", 85_000, 50),
            ),
            L(
                "clothing",
                "Sewn from the off-cuts of our hand-drawn cloth.",
                "Dijahit dari sisa kain batik tulis kami.",
                I("Batik Rifa'iyah tote bag", "Tas tote batik Rifa'iyah", 120_000, 250),
            ),
            L(
                "batik",
                "Pelo ati, the motif of liver and gizzard, three months of work.",
                "Motif pelo ati, tiga bulan pengerjaan.",
                I(
                    "Batik tulis Rifa'iyah, pelo ati motif",
                    "Batik tulis Rifa'iyah motif pelo ati",
                    1_150_000,
                    400,
                ),
                preorder=(45, 4),
            ),
        ),
        stock="preorder",
    ),
    Maker(
        name="Tenun Goyor Sumber Rejeki",
        owner="Abdul Rohman",
        region="33.27",
        sector="fashion",
        place="Kec. Taman",
        size="kecil",
        tagline_en="Goyor sarongs woven in Pemalang",
        tagline_id="Sarung goyor tenunan Pemalang",
        story_en="Goyor sarongs are so soft they sway (goyor) as you walk. Pemalang weavers have sent them "
        "to the Middle East and Africa for decades.",
        story_id="Sarung goyor begitu lembut hingga bergoyang saat dipakai berjalan. Penenun Pemalang sudah "
        "puluhan tahun mengirimnya ke Timur Tengah dan Afrika.",
        lines=(
            L(
                "clothing",
                "Hand-loomed rayon and silk blends.",
                "Tenun ATBM dari rayon dan campuran sutra.",
                I("Goyor sarong, rayon", "Sarung goyor rayon", 175_000, 450),
                I("Goyor sarong, silk blend", "Sarung goyor campuran sutra", 425_000, 450),
                I("Goyor sarong in a gift box", "Sarung goyor dalam kotak hadiah", 225_000, 650),
                I("Goyor shawl", "Selendang goyor", 150_000, 200),
            ),
            L(
                "clothing",
                "Five sarongs in mixed colours for shops.",
                "Lima sarung warna campur untuk toko.",
                I(
                    "Goyor sarongs, reseller pack of five",
                    "Sarung goyor, paket reseller isi 5",
                    800_000,
                    2_300,
                ),
            ),
        ),
    ),
    Maker(
        name="Batik Kliwonan Sukowati",
        owner="Sutarni",
        region="33.14",
        sector="fashion",
        place="Kliwonan, Kec. Masaran",
        size="kecil",
        tagline_en="Batik from Kliwonan, Sragen's batik village",
        tagline_id="Batik dari Kliwonan, kampung batik Sragen",
        story_en="Kliwonan learnt batik working for the houses of Solo and now has its own style: Solo motifs "
        "with brighter, modern colours.",
        story_id="Kliwonan belajar membatik dari juragan Solo dan kini punya gaya sendiri: motif Solo dengan "
        "warna modern yang lebih cerah.",
        lines=(
            L(
                "batik",
                "Cotton, 2.25 m.",
                "Katun, 2,25 m.",
                I(
                    "Batik cap Sragen, sido mukti motif",
                    "Batik cap Sragen motif sido mukti",
                    215_000,
                    400,
                ),
                I("Batik cap Sragen, parang motif", "Batik cap Sragen motif parang", 215_000, 400),
                I(
                    "Batik tulis Sragen, modern floral",
                    "Batik tulis Sragen motif bunga modern",
                    685_000,
                    400,
                ),
            ),
            L(
                "clothing",
                "Tailored in Sragen.",
                "Dijahit di Sragen.",
                I("Women's batik dress", "Dress batik wanita", 345_000, 400),
                I(
                    "Men's short-sleeved batik shirt",
                    "Kemeja batik pria lengan pendek",
                    185_000,
                    300,
                ),
                I("Batik face masks, set of three", "Masker batik, set isi 3", 45_000, 60),
            ),
        ),
    ),
)

AGRIBISNIS: tuple[Maker, ...] = (
    Maker(
        name="Kopi Lereng Sindoro",
        owner="Tri Wibowo",
        region="33.23",
        sector="agribisnis",
        place="Kec. Kledung",
        size="kecil",
        tagline_en="Arabica and robusta from the slopes of Sindoro and Sumbing",
        tagline_id="Arabika dan robusta dari lereng Sindoro-Sumbing",
        story_en="Forty farming families grow coffee between the tobacco fields of Temanggung, at 1,200 to "
        "1,600 m. We pick red cherries only and process them at the cooperative.",
        story_id="Empat puluh keluarga petani menanam kopi di antara ladang tembakau Temanggung, di ketinggian "
        "1.200–1.600 mdpl. Kami hanya memetik buah merah dan mengolahnya di koperasi.",
        lines=(
            L(
                "drink",
                "Roasted every week in Temanggung; choose beans or ground.",
                "Disangrai setiap minggu di Temanggung; pilih biji atau bubuk.",
                I(
                    "Arabica Sindoro, roasted beans, 250 g",
                    "Arabika Sindoro biji sangrai, 250 g",
                    85_000,
                    280,
                ),
                I(
                    "Arabica Sindoro, natural process, 200 g",
                    "Arabika Sindoro proses natural, 200 g",
                    110_000,
                    230,
                ),
                I(
                    "Robusta Temanggung, roasted beans, 250 g",
                    "Robusta Temanggung biji sangrai, 250 g",
                    45_000,
                    280,
                ),
                I(
                    "Robusta Temanggung, ground, 500 g",
                    "Robusta Temanggung bubuk, 500 g",
                    75_000,
                    530,
                ),
                I("Coffee gift box, 3 × 100 g", "Kotak hadiah kopi, 3 × 100 g", 120_000, 500),
            ),
            L(
                "agri",
                "Green beans for roasters; samples on request.",
                "Biji hijau untuk roaster; sampel bisa diminta.",
                I("Arabica green beans, 1 kg", "Green bean arabika, 1 kg", 140_000, 1_050),
                min_order=5,
            ),
            L(
                "agri",
                "A full sack from the next harvest, shipped by freight.",
                "Satu karung dari panen berikutnya, dikirim lewat ekspedisi.",
                I(
                    "Robusta green beans, 30 kg sack",
                    "Green bean robusta, karung 30 kg",
                    1_950_000,
                    30_500,
                ),
                preorder=(14, 50),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Gula Semut Nira Lestari",
        owner="Darsono",
        region="33.02",
        sector="agribisnis",
        place="Kec. Cilongok",
        size="menengah",
        tagline_en="Organic coconut sugar from the tappers of Banyumas",
        tagline_id="Gula semut organik dari penderes Banyumas",
        story_en="Our 300 tappers climb their coconut palms twice a day for the sap. Cooked and crystallised "
        "into gula semut, it is certified organic and exported to Europe and the US.",
        story_id="Tiga ratus penderes kami memanjat pohon kelapa dua kali sehari untuk mengambil nira. Dimasak "
        "dan dikristalkan menjadi gula semut, bersertifikat organik dan diekspor ke Eropa dan Amerika.",
        lines=(
            L(
                "agri",
                "Certified organic coconut sugar, low glycaemic index.",
                "Gula kelapa bersertifikat organik, indeks glikemik rendah.",
                I(
                    "Organic coconut sugar (gula semut), 250 g",
                    "Gula semut organik, 250 g",
                    18_000,
                    270,
                ),
                I(
                    "Organic coconut sugar (gula semut), 500 g",
                    "Gula semut organik, 500 g",
                    32_000,
                    520,
                ),
                I(
                    "Organic coconut sugar (gula semut), 1 kg",
                    "Gula semut organik, 1 kg",
                    60_000,
                    1_050,
                ),
                I("Coconut sugar with ginger, 250 g", "Gula semut jahe, 250 g", 22_000, 270),
                I("Palm sugar blocks (gula cetak), 1 kg", "Gula kelapa cetak, 1 kg", 28_000, 1_050),
            ),
            L(
                "food",
                "Coconut sugar syrup for coffee and pancakes.",
                "Sirup gula kelapa untuk kopi dan panekuk.",
                I("Liquid coconut sugar, 500 ml", "Gula kelapa cair, 500 ml", 35_000, 650),
            ),
            L(
                "agri",
                "Export grade in 25 kg sacks, with organic certificate.",
                "Kualitas ekspor dalam karung 25 kg, dengan sertifikat organik.",
                I(
                    "Organic coconut sugar, 25 kg sack",
                    "Gula semut organik, karung 25 kg",
                    1_450_000,
                    25_500,
                ),
                preorder=(14, 40),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Beras Organik Tani Mulyo",
        owner="Sukiman",
        region="33.14",
        sector="agribisnis",
        place="Kec. Sambirejo",
        size="kecil",
        tagline_en="Organic rice from the farmers' group of Sambirejo",
        tagline_id="Beras organik dari kelompok tani Sambirejo",
        story_en="Sragen was one of the first regencies in Indonesia to certify organic rice. Our 60 farmers "
        "grow it with compost and spring water from the slopes of Lawu.",
        story_id="Sragen termasuk kabupaten pertama di Indonesia yang punya beras organik bersertifikat. Enam "
        "puluh petani kami menanamnya dengan kompos dan air dari lereng Lawu.",
        lines=(
            L(
                "agri",
                "Milled to order, vacuum-packed.",
                "Digiling sesuai pesanan, dikemas vakum.",
                I("Organic white rice, 5 kg", "Beras putih organik, 5 kg", 95_000, 5_100),
                I("Organic brown rice, 2 kg", "Beras cokelat organik, 2 kg", 55_000, 2_050),
                I("Organic black rice, 1 kg", "Beras hitam organik, 1 kg", 40_000, 1_050),
                I("Organic red rice, 1 kg", "Beras merah organik, 1 kg", 35_000, 1_050),
                I(
                    "Organic rice sampler, 4 × 1 kg",
                    "Paket beras organik, 4 × 1 kg",
                    130_000,
                    4_100,
                ),
                I(
                    "Organic white rice, 25 kg sack",
                    "Beras putih organik, karung 25 kg",
                    450_000,
                    25_200,
                ),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Bawang Merah Tani Makmur",
        owner="Casmadi",
        region="33.29",
        sector="agribisnis",
        place="Kec. Wanasari",
        size="kecil",
        tagline_en="Shallots from Brebes, straight from the field",
        tagline_id="Bawang merah Brebes, langsung dari ladang",
        story_en="Brebes grows a quarter of Indonesia's shallots. Our group sells the Bima Brebes variety dried "
        "in the sun, and fries the small ones into bawang goreng.",
        story_id="Brebes menghasilkan seperempat bawang merah Indonesia. Kelompok kami menjual varietas Bima "
        "Brebes yang dijemur, dan menggoreng yang kecil menjadi bawang goreng.",
        lines=(
            L(
                "agri",
                "Sun-dried shallots, sorted by size.",
                "Bawang merah kering jemur, disortir per ukuran.",
                I("Shallots, Bima Brebes, 1 kg", "Bawang merah Bima Brebes, 1 kg", 35_000, 1_050),
                I("Shallots, Bima Brebes, 5 kg", "Bawang merah Bima Brebes, 5 kg", 160_000, 5_200),
            ),
            L(
                "food",
                "Fried shallots with no flour, crisp for months.",
                "Bawang goreng tanpa tepung, renyah berbulan-bulan.",
                I("Fried shallots, 250 g", "Bawang goreng, 250 g", 45_000, 300),
                I("Fried shallots, 500 g jar", "Bawang goreng, toples 500 g", 80_000, 700),
                I("Shallot sambal, 150 g", "Sambal bawang, 150 g", 25_000, 250),
            ),
            L(
                "agri",
                "Certified seed bulbs for the next planting season.",
                "Bibit umbi bersertifikat untuk musim tanam berikutnya.",
                I("Shallot seed bulbs, 10 kg", "Bibit bawang merah, 10 kg", 450_000, 10_200),
                preorder=(7, 100),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Kedelai Lokal Grobogan",
        owner="Mulyono",
        region="33.15",
        sector="agribisnis",
        place="Kec. Purwodadi",
        size="kecil",
        tagline_en="Grobogan soybeans, the local variety tempe makers ask for",
        tagline_id="Kedelai Grobogan, varietas lokal favorit perajin tempe",
        story_en="The Grobogan soybean is a big-seeded local variety bred in our regency. Tempe and tofu makers "
        "prefer it to imports for its taste and yield.",
        story_id="Kedelai Grobogan adalah varietas lokal berbiji besar yang dikembangkan di kabupaten kami. "
        "Perajin tempe dan tahu memilihnya karena rasa dan rendemennya.",
        lines=(
            L(
                "agri",
                "Cleaned and sorted soybeans of this season.",
                "Kedelai musim ini yang sudah dibersihkan dan disortir.",
                I("Grobogan soybeans, 1 kg", "Kedelai Grobogan, 1 kg", 16_000, 1_050),
                I(
                    "Certified soybean seed, 5 kg",
                    "Benih kedelai bersertifikat, 5 kg",
                    110_000,
                    5_100,
                ),
                I("Dried corn, 5 kg", "Jagung pipil kering, 5 kg", 45_000, 5_100),
            ),
            L(
                "agri",
                "Tempe starter made by our group, enough for 50 kg of soybeans.",
                "Ragi tempe buatan kelompok kami, cukup untuk 50 kg kedelai.",
                I("Tempe starter (ragi tempe), 500 g", "Ragi tempe, 500 g", 25_000, 520),
            ),
            L(
                "agri",
                "Sacks for tempe and tofu makers.",
                "Karungan untuk perajin tempe dan tahu.",
                I(
                    "Grobogan soybeans, 25 kg sack",
                    "Kedelai Grobogan, karung 25 kg",
                    375_000,
                    25_200,
                ),
                min_order=2,
            ),
            L(
                "drink",
                "Roasted soybean powder for a warm drink.",
                "Bubuk kedelai sangrai untuk minuman hangat.",
                I("Roasted soybean powder, 250 g", "Bubuk kedelai sangrai, 250 g", 25_000, 280),
            ),
        ),
        halal=True,
        permit="pirt",
    ),
    Maker(
        name="Kopi Lereng Ungaran",
        owner="Agus Setiawan",
        region="33.22",
        sector="agribisnis",
        place="Kec. Sumowono",
        size="mikro",
        tagline_en="Robusta from the slopes of Mount Ungaran",
        tagline_id="Robusta dari lereng Gunung Ungaran",
        story_en="Our robusta grows in the shade of durian and clove trees on Mount Ungaran. We dry the cherries "
        "on raised beds and roast them in small batches.",
        story_id="Robusta kami tumbuh di bawah naungan pohon durian dan cengkih di Gunung Ungaran. Buah kopi "
        "dijemur di para-para dan disangrai dalam jumlah kecil.",
        lines=(
            L(
                "drink",
                "Roasted medium-dark; beans or ground.",
                "Sangrai medium-dark; biji atau bubuk.",
                I(
                    "Robusta Ungaran, roasted beans, 250 g",
                    "Robusta Ungaran biji sangrai, 250 g",
                    40_000,
                    280,
                ),
                I("Robusta Ungaran, ground, 250 g", "Robusta Ungaran bubuk, 250 g", 38_000, 280),
                I(
                    "Fine robusta, honey process, 200 g",
                    "Fine robusta proses honey, 200 g",
                    65_000,
                    230,
                ),
                I("Cascara (coffee cherry tea), 100 g", "Teh cascara, 100 g", 35_000, 130),
            ),
            L(
                "drink",
                "Single-serve drip bags: hang on a cup and pour hot water.",
                "Kopi drip sekali seduh: gantung di cangkir dan tuang air panas.",
                I(
                    "Robusta Ungaran drip bags, 10 pcs",
                    "Drip bag robusta Ungaran, isi 10",
                    45_000,
                    150,
                ),
            ),
            L(
                "agri",
                "Green beans for cafés and roasters.",
                "Biji hijau untuk kafe dan roaster.",
                I("Robusta green beans, 1 kg", "Green bean robusta, 1 kg", 75_000, 1_050),
                min_order=3,
            ),
        ),
        halal=True,
        permit="pirt",
    ),
)

FURNITUR: tuple[Maker, ...] = (
    Maker(
        name="Mebel Ukir Jepara Mulya",
        owner="H. Ahmad Mulyadi",
        region="33.20",
        sector="furnitur",
        place="Kec. Tahunan",
        size="menengah",
        tagline_en="Carved teak furniture from Jepara",
        tagline_id="Mebel jati ukir dari Jepara",
        story_en="Jepara has carved teak since the days of Queen Kartini, who sent its carvings to the Dutch "
        "court. We use plantation teak (SVLK certified) and ship worldwide.",
        story_id="Jepara mengukir jati sejak masa R.A. Kartini, yang mengirim ukiran Jepara ke Belanda. Kami "
        "memakai jati perhutani bersertifikat SVLK dan mengirim ke seluruh dunia.",
        lines=(
            L(
                "home",
                "Small pieces in stock, finished with natural wax.",
                "Produk kecil tersedia, finishing malam alami.",
                I("Carved teak jewellery box", "Kotak perhiasan jati ukir", 275_000, 1_500),
                I("Teak serving tray", "Nampan saji jati", 185_000, 1_200),
                I(
                    "Carved teak wall panel, 60 × 40 cm",
                    "Panel dinding jati ukir, 60 × 40 cm",
                    1_250_000,
                    6_000,
                ),
                I(
                    "Carved teak mirror frame, 60 × 90 cm",
                    "Bingkai cermin jati ukir, 60 × 90 cm",
                    1_650_000,
                    9_000,
                ),
            ),
            L(
                "home",
                "Furniture carved to order; shipped by freight in a wooden crate.",
                "Mebel diukir sesuai pesanan; dikirim lewat ekspedisi dengan peti kayu.",
                I(
                    "Carved teak coffee table, 80 × 50 cm",
                    "Meja tamu jati ukir, 80 × 50 cm",
                    2_850_000,
                    25_000,
                ),
                I("Carved teak side chair", "Kursi jati ukir", 2_250_000, 12_000),
                I("Teak garden bench, 120 cm", "Bangku taman jati, 120 cm", 3_500_000, 35_000),
                preorder=(30, 6),
            ),
        ),
        stock="preorder",
    ),
    Maker(
        name="Rotan Trangsan Jaya Abadi",
        owner="Bambang Sutrisno",
        region="33.11",
        sector="furnitur",
        place="Trangsan, Kec. Gatak",
        size="menengah",
        tagline_en="Rattan furniture from Trangsan, an export village",
        tagline_id="Mebel rotan dari Trangsan, desa ekspor",
        story_en="Trangsan has woven rattan since the 1920s and now ships containers to Europe every week. We "
        "use Kalimantan rattan and weave each frame by hand.",
        story_id="Trangsan menganyam rotan sejak tahun 1920-an dan kini mengirim kontainer ke Eropa setiap "
        "minggu. Kami memakai rotan Kalimantan dan menganyam setiap rangka dengan tangan.",
        lines=(
            L(
                "home",
                "Natural rattan with a clear matt finish.",
                "Rotan alami dengan finishing bening doff.",
                I("Rattan laundry basket", "Keranjang cucian rotan", 175_000, 1_500),
                I("Rattan lamp shade", "Kap lampu rotan", 225_000, 800),
                I("Rattan trays, set of three", "Nampan rotan, set isi 3", 145_000, 1_000),
                I("Rattan mirror frame", "Bingkai cermin rotan", 325_000, 2_000),
                I("Rattan side table", "Meja samping rotan", 650_000, 5_000),
            ),
            L(
                "home",
                "Chairs woven to order.",
                "Kursi dianyam sesuai pesanan.",
                I("Rattan armchair", "Kursi santai rotan", 1_350_000, 9_000),
                I(
                    "Rattan lounge chair with cushion",
                    "Kursi malas rotan dengan bantal",
                    2_450_000,
                    14_000,
                ),
                preorder=(21, 10),
            ),
        ),
    ),
    Maker(
        name="Jati Wana Blora",
        owner="Sarmin",
        region="33.16",
        sector="furnitur",
        place="Kec. Cepu",
        size="kecil",
        tagline_en="Solid teak furniture from the forests of Blora",
        tagline_id="Mebel jati solid dari hutan Blora",
        story_en="Blora's teak forests are among the oldest in Java. We build simple, solid furniture from "
        "certified teak and turn old roots into one-of-a-kind tables.",
        story_id="Hutan jati Blora termasuk yang tertua di Jawa. Kami membuat mebel sederhana dan kokoh dari "
        "jati bersertifikat dan mengolah akar tua menjadi meja yang tiada duanya.",
        lines=(
            L(
                "home",
                "Solid teak, oiled.",
                "Jati solid, finishing minyak.",
                I("Teak stool", "Dingklik jati", 450_000, 4_000),
                I("Teak chopping board", "Talenan jati", 95_000, 1_500),
                I("Teak wall shelf, 80 cm", "Rak dinding jati, 80 cm", 385_000, 5_000),
                I("Minimalist teak dining chair", "Kursi makan jati minimalis", 1_150_000, 8_000),
                I("Teak root side table", "Meja samping akar jati", 1_850_000, 18_000),
            ),
            L(
                "home",
                "A full bookcase built to order.",
                "Rak buku lengkap dibuat sesuai pesanan.",
                I("Teak bookcase, five shelves", "Rak buku jati lima susun", 3_250_000, 40_000),
                preorder=(30, 4),
            ),
        ),
    ),
    Maker(
        name="Bambu Lawu Kreasi",
        owner="Joko Purnomo",
        region="33.13",
        sector="furnitur",
        place="Kec. Tawangmangu",
        size="mikro",
        tagline_en="Bamboo furniture from the foot of Mount Lawu",
        tagline_id="Mebel bambu dari kaki Gunung Lawu",
        story_en="Bamboo is cut at the right moon on the slopes of Lawu, soaked and smoked against borers, then "
        "built into furniture with pegs and rattan bindings.",
        story_id="Bambu ditebang pada waktu yang tepat di lereng Lawu, direndam dan diasap agar awet, lalu "
        "dirakit menjadi mebel dengan pasak dan ikatan rotan.",
        lines=(
            L(
                "home",
                "Smoked bamboo, no nails.",
                "Bambu asap, tanpa paku.",
                I("Bamboo shelf, four tiers", "Rak bambu empat susun", 425_000, 6_000),
                I("Bamboo table lamp", "Lampu meja bambu", 185_000, 900),
                I(
                    "Bamboo kitchen utensils, set of five",
                    "Peralatan dapur bambu, set isi 5",
                    55_000,
                    300,
                ),
                I("Bamboo room divider", "Sekat ruangan bambu", 750_000, 9_000),
            ),
            L(
                "home",
                "Low tables of split bamboo with a glass top.",
                "Meja rendah dari bambu belah dengan kaca di atasnya.",
                I("Bamboo coffee table", "Meja tamu bambu", 650_000, 10_000),
            ),
            L(
                "home",
                "Seating built to order.",
                "Tempat duduk dibuat sesuai pesanan.",
                I("Bamboo lounge chair", "Kursi santai bambu", 950_000, 8_000),
                I("Bamboo sofa, two seats", "Sofa bambu dua dudukan", 2_850_000, 20_000),
                preorder=(21, 5),
            ),
        ),
    ),
)

JASA: tuple[Maker, ...] = (
    Maker(
        name="Sanggar Batik Laweyan",
        owner="Dwi Astuti",
        region="33.72",
        sector="jasa",
        place="Kampung Laweyan, Kec. Laweyan",
        size="mikro",
        tagline_en="Learn batik in the merchants' quarter of Solo",
        tagline_id="Belajar membatik di kampung saudagar Solo",
        story_en="Our studio teaches batik to schools, companies and visitors from abroad. You draw with a "
        "canting, dye your cloth and take it home the same day.",
        story_id="Sanggar kami mengajar batik untuk sekolah, perusahaan dan wisatawan mancanegara. Anda membatik "
        "dengan canting, mewarnai kain dan membawanya pulang di hari yang sama.",
        lines=(
            L(
                "service",
                "Classes in English or Indonesian; book a date after ordering.",
                "Kelas dalam bahasa Inggris atau Indonesia; pilih tanggal setelah memesan.",
                I(
                    "Batik class, three hours, one person",
                    "Kelas membatik tiga jam, satu orang",
                    250_000,
                    0,
                ),
                I(
                    "Batik class for groups of ten",
                    "Kelas membatik untuk rombongan sepuluh orang",
                    2_000_000,
                    0,
                ),
                I(
                    "Batik class for children, two hours",
                    "Kelas membatik anak, dua jam",
                    150_000,
                    0,
                ),
                I(
                    "Walking tour of Kampung Laweyan, per person",
                    "Jalan-jalan Kampung Laweyan, per orang",
                    150_000,
                    0,
                ),
            ),
            L(
                "craft",
                "Everything to make batik at home, with a video lesson.",
                "Semua yang dibutuhkan untuk membatik di rumah, dengan video pelajaran.",
                I(
                    "Batik kit: canting, wax, stove and cloth",
                    "Paket membatik: canting, malam, kompor dan kain",
                    125_000,
                    900,
                ),
                I(
                    "Online batik class with the kit shipped",
                    "Kelas membatik online dengan paket dikirim",
                    185_000,
                    1_000,
                ),
            ),
        ),
    ),
    Maker(
        name="Lensa UMKM Studio",
        owner="Andreas Kurniawan",
        region="33.74",
        sector="jasa",
        place="Kec. Banyumanik",
        size="mikro",
        tagline_en="Product photos and videos that sell",
        tagline_id="Foto dan video produk yang menjual",
        story_en="Half of Central Java's small businesses say marketing is their biggest problem. We photograph "
        "and film products for marketplaces, with UMKM prices.",
        story_id="Separuh UMKM Jawa Tengah menyebut pemasaran sebagai kendala terbesar. Kami memotret dan "
        "membuat video produk untuk marketplace, dengan harga UMKM.",
        lines=(
            L(
                "service",
                "Send us your products or come to the studio in Semarang.",
                "Kirim produk Anda atau datang ke studio kami di Semarang.",
                I("Product photography, 10 photos", "Foto produk, 10 foto", 350_000, 0),
                I(
                    "Product photography, 30 photos with retouching",
                    "Foto produk, 30 foto dengan retouch",
                    900_000,
                    0,
                ),
                I("Short product video, 30 seconds", "Video produk pendek, 30 detik", 750_000, 0),
                I(
                    "Marketplace listing package: photos and copy",
                    "Paket listing marketplace: foto dan deskripsi",
                    1_250_000,
                    0,
                ),
                I("Live-selling host, two hours", "Host live selling, dua jam", 500_000, 0),
            ),
        ),
    ),
    Maker(
        name="Tegal Kreatif Kemasan",
        owner="Eko Prasetyo",
        region="33.76",
        sector="jasa",
        place="Kec. Tegal Timur",
        size="mikro",
        tagline_en="Packaging and labels for small food businesses",
        tagline_id="Kemasan dan label untuk usaha makanan kecil",
        story_en="Good packaging opens the doors of minimarkets and gift shops. We design labels and pouches, "
        "print small runs and help with P-IRT and halal registration.",
        story_id="Kemasan yang baik membuka pintu minimarket dan toko oleh-oleh. Kami mendesain label dan pouch, "
        "mencetak dalam jumlah kecil dan membantu pendaftaran P-IRT dan halal.",
        lines=(
            L(
                "service",
                "Design in two rounds of changes; files are yours.",
                "Desain dengan dua kali revisi; file menjadi milik Anda.",
                I("Logo design", "Desain logo", 750_000, 0),
                I("Packaging design for one product", "Desain kemasan satu produk", 1_000_000, 0),
                I(
                    "Help with P-IRT and halal registration",
                    "Pendampingan pendaftaran P-IRT dan halal",
                    500_000,
                    0,
                ),
            ),
            L(
                "service",
                "Label layouts that meet the BPOM rules for small food producers.",
                "Tata letak label sesuai aturan BPOM untuk produsen pangan kecil.",
                I(
                    "Nutrition facts and label layout",
                    "Tata letak label dan informasi nilai gizi",
                    250_000,
                    0,
                ),
            ),
            L(
                "other",
                "Short print runs, shipped from Tegal.",
                "Cetak jumlah kecil, dikirim dari Tegal.",
                I("Product labels, 500 stickers", "Stiker label produk, 500 lembar", 225_000, 300),
                I(
                    "Printed standing pouches, 100 pcs",
                    "Standing pouch cetak, 100 pcs",
                    350_000,
                    900,
                ),
            ),
        ),
    ),
    Maker(
        name="Wisata Dieng Pesona",
        owner="Sugeng Riyanto",
        region="33.04",
        sector="jasa",
        place="Dieng Kulon, Kec. Batur",
        size="mikro",
        tagline_en="Homestays and guided trips on the Dieng plateau",
        tagline_id="Homestay dan wisata berpemandu di dataran tinggi Dieng",
        story_en="We are a village tourism group in Dieng Kulon: homestays in farmers' houses, sunrise walks to "
        "Sikunir and the temples, guided by people who grew up here.",
        story_id="Kami kelompok sadar wisata di Dieng Kulon: homestay di rumah petani, jalan pagi ke Sikunir dan "
        "candi-candi, dipandu warga yang tumbuh di sini.",
        lines=(
            L(
                "service",
                "Pick your dates after ordering; free rescheduling up to a week before.",
                "Pilih tanggal setelah memesan; bebas ganti jadwal sampai seminggu sebelumnya.",
                I(
                    "Homestay night for two with breakfast",
                    "Homestay satu malam untuk dua orang dengan sarapan",
                    350_000,
                    0,
                ),
                I(
                    "Sunrise walk to Sikunir, per person",
                    "Jalan pagi ke Sikunir, per orang",
                    150_000,
                    0,
                ),
                I(
                    "Dieng photography tour, half a day",
                    "Tur fotografi Dieng, setengah hari",
                    300_000,
                    0,
                ),
                I(
                    "Dieng two-day trip, per person",
                    "Paket wisata Dieng dua hari, per orang",
                    950_000,
                    0,
                ),
            ),
            L(
                "service",
                "Festival packages sell out early; booked now for the next Dieng Culture Festival.",
                "Paket festival cepat habis; dipesan sekarang untuk Dieng Culture Festival berikutnya.",
                I(
                    "Dieng Culture Festival package, per person",
                    "Paket Dieng Culture Festival, per orang",
                    1_500_000,
                    0,
                ),
                preorder=(60, 40),
            ),
        ),
    ),
)

LAINNYA: tuple[Maker, ...] = (
    Maker(
        name="Sapu Glagah Karya Mandiri",
        owner="Waluyo",
        region="33.03",
        sector="lainnya",
        place="Kec. Karangreja",
        size="kecil",
        tagline_en="Glagah grass brooms from Purbalingga",
        tagline_id="Sapu glagah dari Purbalingga",
        story_en="The flowers of glagah grass from the slopes of Slamet make soft brooms that catch fine dust. "
        "We first sold online through Purbalingga's Tuka-Tuku programme.",
        story_id="Bunga rumput glagah dari lereng Gunung Slamet menjadi sapu lembut yang menangkap debu halus. "
        "Kami pertama kali berjualan online lewat program Tuka-Tuku Purbalingga.",
        lines=(
            L(
                "home",
                "Bound by hand with rattan and plastic cord.",
                "Diikat dengan tangan dengan rotan dan tali plastik.",
                I("Glagah grass broom", "Sapu glagah", 35_000, 600),
                I("Palm-fibre broom (sapu ijuk)", "Sapu ijuk", 30_000, 700),
                I("Coconut-rib broom (sapu lidi)", "Sapu lidi", 15_000, 500),
                I("Chicken-feather duster (kemoceng)", "Kemoceng bulu ayam", 25_000, 250),
                I("Glagah brooms, ten for shops", "Sapu glagah, isi 10 untuk toko", 300_000, 6_000),
            ),
            L(
                "home",
                "Export-grade brooms in cartons of fifty.",
                "Sapu kualitas ekspor dalam karton isi lima puluh.",
                I(
                    "Glagah brooms, export carton of 50",
                    "Sapu glagah ekspor, karton isi 50",
                    1_450_000,
                    30_000,
                ),
                preorder=(14, 20),
            ),
        ),
    ),
    Maker(
        name="Jamu Nguter Sehat Lestari",
        owner="Suwarni",
        region="33.11",
        sector="lainnya",
        place="Kec. Nguter",
        size="kecil",
        tagline_en="Jamu from Nguter, the village of jamu sellers",
        tagline_id="Jamu dari Nguter, desa para penjual jamu",
        story_en="Nguter is where the jamu gendong women of Java come from. We dry and grind turmeric, ginger "
        "and kencur from our own gardens into instant jamu and body scrubs.",
        story_id="Nguter adalah asal para penjual jamu gendong di Jawa. Kami mengeringkan dan menggiling kunyit, "
        "jahe dan kencur dari kebun sendiri menjadi jamu instan dan lulur.",
        lines=(
            L(
                "drink",
                "Instant jamu: one spoon in a glass of warm water.",
                "Jamu instan: satu sendok dalam segelas air hangat.",
                I(
                    "Turmeric and tamarind jamu (kunyit asam), 250 g",
                    "Jamu kunyit asam instan, 250 g",
                    28_000,
                    280,
                ),
                I(
                    "Rice and kencur jamu (beras kencur), 250 g",
                    "Jamu beras kencur instan, 250 g",
                    28_000,
                    280,
                ),
                I("Temulawak jamu, 250 g", "Jamu temulawak instan, 250 g", 30_000, 280),
                I("Jamu gift box of six", "Kotak hadiah jamu isi 6", 150_000, 1_800),
            ),
            L(
                "beauty",
                "Traditional Javanese body care.",
                "Perawatan tubuh tradisional Jawa.",
                I("Javanese body scrub (lulur), 200 g", "Lulur Jawa, 200 g", 45_000, 250),
                I("Herbal massage oil, 100 ml", "Minyak urut herbal, 100 ml", 35_000, 150),
            ),
        ),
        halal=True,
        permit="bpom",
    ),
    Maker(
        name="Logam Presisi Talang",
        owner="Wahyudi",
        region="33.28",
        sector="lainnya",
        place="Kec. Talang",
        size="kecil",
        tagline_en="Cookware and tools from Tegal's metal workshops",
        tagline_id="Peralatan masak dan perkakas dari bengkel logam Tegal",
        story_en="Tegal's metal workshops are called 'the Japan of Indonesia' for what they can cast and "
        "machine. We make cookware and farm tools, and machine parts to order.",
        story_id="Bengkel logam Tegal dijuluki 'Jepangnya Indonesia' karena kemampuan cor dan bubutnya. Kami "
        "membuat peralatan masak dan alat pertanian, serta membubut suku cadang sesuai pesanan.",
        lines=(
            L(
                "home",
                "Cast iron and stainless steel, made in Talang.",
                "Besi cor dan baja tahan karat, buatan Talang.",
                I("Cast-iron wok, 36 cm", "Wajan besi cor, 36 cm", 185_000, 3_500),
                I("Cast-iron grill pan", "Wajan panggangan besi cor", 225_000, 3_000),
                I("Forged kitchen knife", "Pisau dapur tempa", 95_000, 300),
                I("Stainless steel cookware set", "Set panci baja tahan karat", 650_000, 5_000),
            ),
            L(
                "other",
                "Farm tools forged and sharpened by hand.",
                "Alat pertanian ditempa dan diasah dengan tangan.",
                I("Farm tools: hoe and sickle", "Alat tani: cangkul dan sabit", 125_000, 2_500),
            ),
            L(
                "service",
                "Send a drawing or a sample part; we quote and machine it.",
                "Kirim gambar atau contoh suku cadang; kami hitung harga dan bubut.",
                I(
                    "Machined parts to order, per job",
                    "Bubut suku cadang pesanan, per pekerjaan",
                    1_500_000,
                    5_000,
                ),
                preorder=(14, 20),
            ),
        ),
    ),
)

MAKERS: tuple[Maker, ...] = KULINER + KRIYA + FASHION + AGRIBISNIS + FURNITUR + JASA + LAINNYA

# The demo vendor account (expo.demo.office.VENDOR) is a member of this UMKM.
DEMO_VENDOR_MAKER = "Keripik Tempe Sari Kedelai"

APPLICANTS: tuple[Applicant, ...] = (
    Applicant(
        name="Enceng Gondok Rawa Pening",
        owner="Siti Aminah",
        region="33.22",
        sector="kriya",
        place="Kec. Banyubiru",
        story_id="Tas, keranjang dan sandal dari eceng gondok Rawa Pening, dianyam oleh ibu-ibu nelayan.",
        motivation="We turn the water hyacinth that chokes Rawa Pening lake into bags and baskets.",
    ),
    Applicant(
        name="Sambal Bawang Mbak Yuni",
        owner="Yuniarti",
        region="33.24",
        sector="kuliner",
        place="Kec. Weleri",
        story_id="Sambal bawang dan sambal cumi dalam botol, dimasak tanpa pengawet.",
        motivation="Our sambal sells out at the Weleri market every week; we want buyers outside Kendal.",
        permit="pirt",
        halal=True,
        stock="limited",
    ),
    Applicant(
        name="Madu Hutan Randublatung",
        owner="Supriyadi",
        region="33.16",
        sector="agribisnis",
        place="Kec. Randublatung",
        story_id="Madu hutan jati dan madu klanceng dari hutan Randublatung.",
        motivation="Teak-forest honey and stingless-bee honey, harvested by our forest farmers' group.",
        permit="pirt",
        halal=True,
    ),
    Applicant(
        name="Kaos Kata Semarangan",
        owner="Yohanes Budiman",
        region="33.74",
        sector="fashion",
        place="Kec. Gajahmungkur",
        story_id="Kaos sablon dengan kata-kata dan ikon khas Semarang.",
        motivation="T-shirts printed with Semarang slang and landmarks, for visitors and the diaspora.",
    ),
    Applicant(
        name="Abon Lele Barokah Demak",
        owner="Muhammad Khoirul",
        region="33.21",
        sector="kuliner",
        place="Kec. Wonosalam",
        story_id="Abon dan kerupuk dari lele budidaya kolam sendiri.",
        motivation="Catfish floss from our own ponds; we want to reach buyers beyond Demak.",
        status="changes_requested",
        reason=(
            "The photo of the P-IRT certificate cannot be read. Please upload a clear scan of the "
            "whole certificate. / Foto sertifikat P-IRT tidak terbaca. Mohon unggah pindaian "
            "sertifikat yang jelas dan utuh."
        ),
        permit="pirt",
        halal=True,
    ),
)
