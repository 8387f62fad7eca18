"""Names and places: mostly Scottish, some from elsewhere in the UK.

Weights are rough relative frequencies, so common names repeat across
customers as they do in a real customer base. A small share of names carry
accents, apostrophes and hyphens, which real exports have and importers must
survive.
"""

from __future__ import annotations

from customers.demo_data.sampling import Weighted

# (name, weight). Ordinary Scottish first names dominate.
# fmt: off
_FIRST_NAMES: dict[str, float] = {
    # women
    "Morag": 6, "Fiona": 10, "Catriona": 5, "Eilidh": 8, "Isla": 8, "Kirsty": 9, "Mhairi": 6,
    "Ailsa": 4, "Shona": 5, "Lorna": 5, "Elspeth": 3, "Jean": 6, "Margaret": 9, "Agnes": 3,
    "Janet": 5, "Moira": 4, "Sheena": 3, "Heather": 5, "Rhona": 3, "Iona": 3, "Skye": 2,
    "Emma": 9, "Sarah": 10, "Laura": 8, "Claire": 8, "Nicola": 7, "Lauren": 6, "Rachel": 6,
    "Amy": 6, "Hannah": 5, "Olivia": 5, "Emily": 5, "Sophie": 5, "Ava": 3, "Freya": 4,
    "Anne": 6, "Elizabeth": 6, "Mary": 7, "Helen": 6, "Susan": 6, "Karen": 6, "Linda": 4,
    "Gillian": 5, "Lesley": 4, "Carol": 4, "Joan": 3, "Irene": 3, "Christine": 5, "Alison": 5,
    "Niamh": 3, "Aisha": 2, "Priya": 2, "Agnieszka": 2, "Zuzanna": 1,
    # men
    "Iain": 7, "Hamish": 4, "Angus": 5, "Alasdair": 4, "Callum": 8, "Ruaridh": 3, "Fraser": 5,
    "Euan": 6, "Ewan": 5, "Craig": 7, "Graeme": 5, "Gordon": 6, "Malcolm": 4, "Duncan": 5,
    "Douglas": 5, "Kenneth": 5, "Alexander": 7, "Andrew": 9, "David": 12, "James": 12,
    "John": 12, "Robert": 9, "William": 8, "Thomas": 7, "Stuart": 7, "Scott": 6, "Ross": 6,
    "Kyle": 4, "Jamie": 6, "Lewis": 6, "Finlay": 4, "Lachlan": 3, "Rory": 4, "Calum": 3,
    "Archie": 3, "Harris": 2, "Murray": 3, "Neil": 5, "Colin": 5, "Brian": 5, "George": 5,
    "Peter": 5, "Michael": 7, "Paul": 6, "Mark": 6, "Steven": 6, "Gary": 5, "Derek": 3,
    "Mohammed": 3, "Raj": 2, "Tomasz": 2, "Piotr": 2, "Kwame": 1, "Wei": 1,
}

# Accented and other non-ASCII first names: about 2% of customers.
_FIRST_NAMES_NON_ASCII: dict[str, float] = {
    "Seònaid": 2, "Máire": 2, "Zoë": 3, "Ciarán": 2, "Ólafur": 1, "Siobhán": 2, "Chloë": 2,
    "Dòmhnall": 1, "Eòghann": 1, "Ruairí": 1, "Aoibhínn": 1, "Renée": 1, "José": 1,
    "Łukasz": 1, "Wojciech": 1, "Małgorzata": 1, "Björn": 1, "Sinéad": 2, "Padraig": 1,
}

_SURNAMES: dict[str, float] = {
    "Smith": 14, "Brown": 10, "Wilson": 9, "Campbell": 9, "Stewart": 9, "Thomson": 9,
    "Robertson": 9, "Anderson": 8, "MacDonald": 8, "Macdonald": 4, "Scott": 7, "Reid": 7,
    "Murray": 7, "Taylor": 6, "Clark": 6, "Ross": 6, "Watson": 6, "Morrison": 6, "Paterson": 6,
    "Young": 6, "Walker": 5, "Mitchell": 5, "Fraser": 6, "Miller": 6, "Johnston": 5, "Graham": 5,
    "Hamilton": 5, "Gray": 5, "Henderson": 5, "Kerr": 4, "Grant": 4, "Sinclair": 3, "Ferguson": 5,
    "Cameron": 5, "Mackenzie": 5, "MacKenzie": 2, "MacLeod": 5, "Macleod": 2, "McLean": 4,
    "Maclean": 2, "McIntyre": 3, "McDougall": 2, "McGregor": 3, "MacGregor": 2, "Davidson": 4,
    "Duncan": 4, "Hunter": 4, "Kennedy": 4, "Docherty": 4, "Gallacher": 3, "Boyle": 3,
    "Munro": 3, "Sutherland": 3, "Mackay": 4, "Matheson": 2, "Buchanan": 3, "Crawford": 3,
    "Dickson": 2, "Gillespie": 2, "Lindsay": 3, "Ogilvie": 1, "Urquhart": 1, "Drummond": 2,
    "Baird": 2, "Shaw": 3, "Bell": 4, "Black": 3, "White": 3, "Hughes": 3, "Jones": 4,
    "Williams": 4, "Evans": 2, "Roberts": 2, "Patel": 2, "Khan": 2, "Ahmed": 1, "Singh": 1,
    "Nowak": 1, "Kowalski": 1, "Wiśniewska": 1, "Wójcik": 1, "Ó Briain": 1, "Nic a' Phearsain": 1,
}

# Apostrophes and hyphens: about 3% of customers.
_SURNAMES_PUNCTUATED: dict[str, float] = {
    "O'Neill": 3, "O'Donnell": 2, "O'Connor": 2, "O'Hara": 2, "O'Brien": 2, "D'Arcy": 1,
    "Lloyd-Jones": 1, "Stewart-Hamilton": 1, "Fraser-Mackay": 1, "Campbell-Reid": 1, "Smith-Morrison": 1,
}

# fmt: on


def _blend(main: dict[str, float], extra: dict[str, float], share: float) -> Weighted[str]:
    """Mix `extra` into `main` so that it makes up `share` of the draws."""
    scale = share / (1 - share) * sum(main.values()) / sum(extra.values())
    return Weighted([*main.items(), *((name, w * scale) for name, w in extra.items())])


FIRST_NAMES = _blend(_FIRST_NAMES, _FIRST_NAMES_NON_ASCII, 0.02)
SURNAMES = _blend(_SURNAMES, _SURNAMES_PUNCTUATED, 0.03)

# Places: (name, weight, kind). kind is "city", "town" or "rural"; personas lean
# towards one or the other (digital natives to cities, traditionalists to towns).
# fmt: off
_PLACES: list[tuple[str, float, str]] = [
    ("Glasgow", 60, "city"), ("Edinburgh", 52, "city"), ("Aberdeen", 20, "city"), ("Dundee", 15, "city"),
    ("Inverness", 8, "city"), ("Stirling", 5, "city"), ("Perth", 5, "city"),
    ("Paisley", 7, "town"), ("East Kilbride", 7, "town"), ("Livingston", 5, "town"), ("Hamilton", 5, "town"),
    ("Cumbernauld", 5, "town"), ("Kirkcaldy", 5, "town"), ("Dunfermline", 6, "town"), ("Glenrothes", 4, "town"),
    ("St Andrews", 2, "town"), ("Cupar", 1, "town"), ("Leven", 1.5, "town"), ("Methil", 0.8, "town"),
    ("Anstruther", 0.5, "town"), ("Ayr", 4, "town"), ("Kilmarnock", 4, "town"), ("Irvine", 3, "town"),
    ("Greenock", 4, "town"), ("Coatbridge", 4, "town"), ("Airdrie", 3, "town"), ("Motherwell", 3, "town"),
    ("Falkirk", 3.5, "town"), ("Grangemouth", 1.5, "town"), ("Musselburgh", 2, "town"), ("Dalkeith", 1.2, "town"),
    ("Bathgate", 1.5, "town"), ("Arbroath", 2, "town"), ("Montrose", 1, "town"), ("Forfar", 1.2, "town"),
    ("Elgin", 2, "town"), ("Peterhead", 1.5, "town"), ("Fraserburgh", 1, "town"), ("Dumfries", 3, "town"),
    ("Stranraer", 1, "town"), ("Galashiels", 1.2, "town"), ("Hawick", 1, "town"), ("Oban", 1, "town"),
    ("Fort William", 1, "town"), ("North Berwick", 0.8, "town"), ("Largs", 0.8, "town"),
    ("Aviemore", 0.5, "rural"), ("Kingussie", 0.3, "rural"), ("Ullapool", 0.3, "rural"), ("Plockton", 0.1, "rural"),
    ("Dornoch", 0.3, "rural"), ("Gairloch", 0.2, "rural"), ("Lochinver", 0.1, "rural"), ("Thurso", 0.6, "rural"),
    ("Wick", 0.5, "rural"), ("Golspie", 0.2, "rural"), ("Pitlochry", 0.4, "rural"), ("Aberfeldy", 0.3, "rural"),
    ("Crieff", 0.5, "rural"), ("Callander", 0.3, "rural"), ("Ballater", 0.2, "rural"), ("Braemar", 0.1, "rural"),
    ("Huntly", 0.4, "rural"), ("Portree, Isle of Skye", 0.4, "rural"), ("Stornoway, Isle of Lewis", 0.6, "rural"),
    ("Kirkwall, Orkney", 0.6, "rural"), ("Lerwick, Shetland", 0.6, "rural"), ("Tobermory, Isle of Mull", 0.1, "rural"),
    ("Brodick, Isle of Arran", 0.2, "rural"), ("Lochgilphead", 0.2, "rural"), ("Newtonmore", 0.1, "rural"),
    # elsewhere in the UK (~10%)
    ("Carlisle", 2, "town"), ("Newcastle upon Tyne", 4, "city"), ("Berwick-upon-Tweed", 0.8, "town"),
    ("Manchester", 4, "city"), ("Leeds", 3, "city"), ("London", 6, "city"), ("Belfast", 3, "city"),
    ("Cardiff", 2, "city"), ("Kendal", 0.5, "town"), ("York", 1.5, "city"),
]
# fmt: on

_KIND_BIAS = {
    "city": {"city": 2.0, "town": 0.7, "rural": 0.4},
    "mixed": {"city": 1.0, "town": 1.0, "rural": 1.0},
    "town": {"city": 0.7, "town": 1.4, "rural": 1.8},
}

# One place table per persona leaning; see personas.py for which persona uses which.
PLACES = {lean: Weighted((name, w * bias[kind]) for name, w, kind in _PLACES) for lean, bias in _KIND_BIAS.items()}
