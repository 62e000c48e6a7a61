"""Kraków's reference data: its 18 districts, some osiedla, the city track and expert units."""

DISTRICTS = [
    ("I", "Stare Miasto", ["Kazimierz", "Kleparz", "Stradom"]),
    ("II", "Grzegórzki", ["Osiedle Oficerskie", "Wesoła"]),
    ("III", "Prądnik Czerwony", ["Olsza", "Osiedle Oficerskie Ugorek"]),
    ("IV", "Prądnik Biały", ["Azory", "Tonie", "Witkowice"]),
    ("V", "Krowodrza", ["Łobzów", "Nowa Wieś"]),
    ("VI", "Bronowice", ["Bronowice Małe", "Bronowice Wielkie"]),
    ("VII", "Zwierzyniec", ["Salwator", "Wola Justowska"]),
    ("VIII", "Dębniki", ["Ruczaj", "Sidzina", "Tyniec"]),
    ("IX", "Łagiewniki-Borek Fałęcki", ["Łagiewniki", "Borek Fałęcki"]),
    ("X", "Swoszowice", ["Jugowice", "Kosocice"]),
    ("XI", "Podgórze Duchackie", ["Kurdwanów", "Piaski Nowe"]),
    ("XII", "Bieżanów-Prokocim", ["Bieżanów", "Prokocim", "Kozłówek"]),
    ("XIII", "Podgórze", ["Stare Podgórze", "Zabłocie", "Płaszów", "Rybitwy"]),
    ("XIV", "Czyżyny", ["Łęg", "Osiedle Dywizjonu 303"]),
    ("XV", "Mistrzejowice", ["Osiedle Złotego Wieku", "Osiedle Oświecenia"]),
    ("XVI", "Bieńczyce", ["Osiedle Kalinowe", "Osiedle Przy Arce"]),
    ("XVII", "Wzgórza Krzesławickie", ["Grębałów", "Krzesławice"]),
    ("XVIII", "Nowa Huta", ["Mogiła", "Branice", "Osiedle Centrum A"]),
]

# Osiedla that hold their own conversation, apart from their district's room.
SUBAREA_ROOMS = {"Kazimierz", "Zabłocie", "Płaszów", "Ruczaj", "Mogiła"}

CITY_ROOMS = [
    ("Warsztat 1: potrzeby mieszkańców", "Podsumowujemy potrzeby zgłoszone w dzielnicach."),
    ("Warsztat 2: pomysły", "Wspólnie z ekspertami miasta dopracowujemy pomysły."),
    ("Warsztat 3: wnioski do budżetu", "Zamieniamy pomysły we wnioski Budżetu Obywatelskiego."),
]

EXPERT_UNITS = [
    ("ZZM", "Zarząd Zieleni Miejskiej"),
    ("ZDMK", "Zarząd Dróg Miasta Krakowa"),
    ("WE", "Wydział Edukacji"),
    ("ZIS", "Zarząd Infrastruktury Sportowej"),
    ("MOPS", "Miejski Ośrodek Pomocy Społecznej"),
    ("WKiDN", "Wydział Kultury i Dziedzictwa Narodowego"),
]

POLISH_LETTERS = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def slugify(text: str) -> str:
    ascii_text = text.translate(POLISH_LETTERS).lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text).split())


# The participatory budget's categories (code, name), in the BO form's order.
BUDGET_CATEGORIES = [
    ("greenery", "Zieleń"),
    ("roads", "Drogi, chodniki i komunikacja"),
    ("sport", "Sport i rekreacja"),
    ("culture", "Kultura"),
    ("education", "Edukacja"),
    ("social", "Pomoc społeczna i zdrowie"),
    ("safety", "Bezpieczeństwo"),
    ("environment", "Ekologia i ochrona środowiska"),
    ("other", "Inne"),
]

# The edition open for proposals, and each area's allocation in it (whole złoty), which the
# city's coordinators then keep up to date: every district the same, the city-wide pool apart.
BUDGET_EDITION = (2027, "Budżet Obywatelski Krakowa 2027")
DISTRICT_ALLOCATION = 1_200_000
CITY_ALLOCATION = 12_000_000
