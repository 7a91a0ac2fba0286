"""Place names: ambiguity, precision, and names that are not places."""

from __future__ import annotations

from tearline.extract import extract
from tearline.model import PlacePrecision

from ._support import DEMO_DATE, only_event


def country_and_city(text: str) -> tuple[str | None, str | None]:
    """The country and city of the single event a short test text must yield."""
    e = only_event(text)
    assert e.place is not None
    return e.place.country, e.place.city


def test_moscow_is_russia_unless_the_text_says_idaho() -> None:
    ru = only_event("A bomb exploded at a market in Moscow yesterday, killing 3 people.")
    us = only_event("A bomb exploded at a market in Moscow, Idaho yesterday, killing 3 people.")
    assert ru.place is not None
    assert (ru.place.city, ru.place.country) == ("Moscow", "RU")
    assert us.place is not None
    assert (us.place.city, us.place.country) == ("Moscow", "US")
    assert us.place.lon is not None
    assert us.place.lon < -100


def test_a_country_named_with_the_city_settles_it() -> None:
    e = only_event("Two bombs exploded in Kerman, Iran, on 3 January 2024, killing 95 people.")
    assert e.place is not None
    assert (e.place.city, e.place.country) == ("Kerman", "IR")
    assert e.place.precision is PlacePrecision.CITY


def test_a_named_venue_with_its_city_gives_venue_precision() -> None:
    e = only_event("Gunmen attacked the Taj Mahal Palace hotel in Mumbai on Wednesday, killing 31.")
    p = e.place
    assert p is not None
    assert (p.precision, p.venue, p.city, p.country) == (
        PlacePrecision.VENUE,
        "Taj Mahal Palace",
        "Mumbai",
        "IN",
    )
    assert p.span.text == "Taj Mahal Palace"
    assert p.lat is not None


def test_country_only() -> None:
    e = only_event(
        "Militants attacked a police station in Afghanistan yesterday, killing 4 officers."
    )
    assert e.place is not None
    assert (e.place.precision, e.place.country, e.place.lat) == (PlacePrecision.COUNTRY, "AF", None)


def test_people_and_newspapers_named_like_cities_are_not_places() -> None:
    text = (
        "Vladimir Putin said the Washington Post was wrong about the bombing in Kabul "
        "yesterday that killed 5."
    )
    [e] = extract(text, DEMO_DATE)
    assert e.place is not None
    assert e.place.city == "Kabul"


def test_us_as_an_adjective_is_not_the_place() -> None:
    e = only_event(
        "U.S. officials said gunmen attacked a hotel in Nairobi yesterday, killing 12 people."
    )
    assert e.place is not None
    assert e.place.city == "Nairobi"


def test_us_as_an_adjective_at_the_end_of_a_line_is_not_the_place() -> None:
    # Wire texts break lines anywhere: "THE U.S.\nCONGRESS" is still the Congress.
    assert country_and_city(
        "CLANDESTINE, 13 JAN 90 (RADIO VENCEREMOS) -- [TEXT] SOLDIERS MASSACRED SIX "
        "JESUITS IN SAN SALVADOR, AS THE U.S.\nCONGRESS WAS TOLD YESTERDAY."
    ) == ("SV", "San Salvador")


def test_upper_case_wire_text() -> None:
    text = (
        "SAN SALVADOR, 3 JAN 90 -- [TEXT] URBAN GUERRILLAS OF THE FARABUNDO MARTI NATIONAL "
        "LIBERATION FRONT [FMLN] BOMBED A POWER STATION IN USULUTAN DEPARTMENT YESTERDAY, "
        "KILLING TWO SOLDIERS."
    )
    e = only_event(text, DEMO_DATE)
    assert e.place is not None
    assert e.place.country == "SV"
    assert e.place.precision is PlacePrecision.REGION
    assert "tearline:fmln" in {a.org_id for a in e.actors}
    assert e.casualties.killed is not None
    assert e.casualties.killed.min == 2


def test_an_event_without_a_named_place_is_in_the_datelines_city() -> None:
    # Wire reports name the city they are filed from once, in the dateline; an event the
    # text places nowhere else is taken to be there, with the dateline as its evidence.
    e = only_event(
        "BOGOTA, 4 MAR 90 (INRAVISION TELEVISION CADENA 2) -- [TEXT] UNIDENTIFIED GUNMEN "
        "SHOT DEAD A JUDGE TODAY AS HE LEFT HIS HOME, POLICE SAID."
    )
    assert e.place is not None
    assert (e.place.country, e.place.precision.value, e.place.name) == ("CO", "city", "BOGOTA")
    assert e.place.span.start == 0


def test_an_event_without_a_place_is_in_the_city_the_text_last_put_something_in() -> None:
    text = (
        "SAN SALVADOR, 5 OCT 89 (ACAN-EFE) -- [TEXT] TROOPS WERE DEPLOYED IN SAN MIGUEL "
        "YESTERDAY.  HOURS LATER URBAN GUERRILLAS DYNAMITED A POWER PYLON, POLICE SAID."
    )
    e = only_event(text)
    assert e.place is not None
    assert (e.place.country, e.place.city) == ("SV", "San Miguel")
    assert e.place.span.start == text.index("SAN MIGUEL")


def test_a_city_in_another_country_is_not_taken_for_an_event_without_a_place() -> None:
    # The event is in El Salvador (the dateline); Tegucigalpa is only where someone spoke.
    text = (
        "SAN SALVADOR, 5 OCT 89 (ACAN-EFE) -- [TEXT] URBAN GUERRILLAS DYNAMITED A POWER "
        "PYLON, POLICE SAID.  THE ATTACK WAS CONDEMNED BY DIPLOMATS IN TEGUCIGALPA."
    )
    e = only_event(text)
    assert e.place is not None
    assert (e.place.country, e.place.city) == ("SV", "San Salvador")
    # in mixed case too, where no rule for caseless text drops Tegucigalpa: the places
    # after a reaction are the reacting party's
    assert country_and_city(
        "San Salvador, 5 Oct 89 (ACAN-EFE) -- Urban guerrillas dynamited a power pylon, "
        "police said.  The attack was condemned by diplomats in Tegucigalpa."
    ) == ("SV", "San Salvador")


def test_a_small_town_abroad_is_not_taken_in_a_caseless_report() -> None:
    # "Santo Tomas" is also a town in the Philippines; the report is from Guatemala.
    e = only_event(
        "GUATEMALA CITY, 4 FEB 90 (ACAN-EFE) -- [TEXT] GUERRILLAS ATTACKED THE SANTO TOMAS "
        "PRESIDENTIAL FARM TODAY, KILLING A CIVILIAN."
    )
    assert e.place is not None
    assert e.place.country == "GT"


def test_the_capital_is_the_capital_of_the_reports_country() -> None:
    e = only_event(
        "SAN SALVADOR, 18 FEB 90 (DPA) -- [TEXT] URBAN COMMANDOS BOMBED A BANK IN THE CAPITAL "
        "LAST NIGHT, WOUNDING TWO GUARDS."
    )
    assert e.place is not None
    assert (e.place.city, e.place.country, e.place.name) == ("San Salvador", "SV", "CAPITAL")


def test_nationality_adjectives_settle_an_ambiguous_town() -> None:
    e = only_event(
        "A bomb exploded at the bus station in Colombo, in the Brazilian state of Parana, "
        "injuring three passengers."
    )
    assert e.place is not None
    assert e.place.country == "BR"


def test_a_small_town_of_the_reports_country_is_found() -> None:
    # Tecoluca (under 15,000 people) is in the small-town index, taken because the
    # report is from El Salvador.
    e = only_event(
        "SAN SALVADOR, 3 JAN 90 -- [TEXT] GUERRILLAS ATTACKED A POWER STATION IN TECOLUCA "
        "YESTERDAY, KILLING TWO SOLDIERS."
    )
    assert e.place is not None
    assert (e.place.city, e.place.country, e.place.precision) == (
        "Tecoluca",
        "SV",
        PlacePrecision.CITY,
    )
    assert e.place.lat is not None


def test_a_small_town_is_not_taken_without_its_country() -> None:
    e = only_event("A bomb exploded in Tecoluca yesterday, killing two soldiers.")
    assert e.place is None or e.place.city != "Tecoluca"


def test_a_first_level_division_is_a_region_of_the_reports_country() -> None:
    e = only_event(
        "BOGOTA, 4 MAR 90 -- [TEXT] GUERRILLAS ATTACKED A POLICE STATION IN CORDOBA "
        "DEPARTMENT YESTERDAY, KILLING FOUR POLICEMEN."
    )
    assert e.place is not None
    assert (e.place.country, e.place.precision) == ("CO", PlacePrecision.REGION)


def test_a_surname_in_capitals_is_not_a_town() -> None:
    e = only_event(
        "BOGOTA, 16 AUG 89 -- [TEXT] JUDGE CARLOS VALENCIA GARCIA WAS SHOT DEAD TODAY BY "
        "FOUR MEN ON MOTORCYCLES."
    )
    assert e.place is not None
    assert e.place.country == "CO"


def test_a_report_filed_abroad_is_about_the_country_it_names() -> None:
    e = only_event(
        "MEXICO CITY (MEXICO), 13 SEP 89 (EFE) -- [TEXT] SALVADORAN GUERRILLAS BLEW UP A "
        "BRIDGE YESTERDAY, A SALVADORAN ARMY SPOKESMAN SAID IN EL SALVADOR."
    )
    assert e.place is not None
    assert e.place.country == "SV"


def test_a_foreign_embassy_or_newsman_does_not_move_the_report_abroad() -> None:
    # The embassy, its ambassador and the newsman are Costa Rican and Mexican; what
    # happened to them happened in San Salvador.
    e = only_event(
        "SAN SALVADOR, 5 OCT 89 (AFP) -- [TEXT] ACTIVISTS CARRYING GUNS OCCUPIED THE COSTA "
        "RICAN EMBASSY YESTERDAY AND ARE HOLDING THE COSTA RICAN AMBASSADOR HOSTAGE.  THE "
        "COSTA RICAN AMBASSADOR'S WIFE SAID THE COSTA RICAN DIPLOMATS ARE UNHARMED."
    )
    assert e.place is not None
    assert e.place.country == "SV"
    bomb = only_event(
        "SAN SALVADOR, 13 NOV (ACAN-EFE) -- [TEXT] THE VEHICLE OF MEXICAN TELEVISION NEWSMAN "
        "EPIGMENIO IBARRA WAS DESTROYED BY A POWERFUL BOMB TODAY.  THE MEXICAN JOURNALIST "
        "WAS NOT HURT.  THE BOMB EXPLODED IN AN AREA OF SAN SALVADOR WHERE THE ARMY AND THE "
        "GUERRILLAS ARE FIGHTING."
    )
    assert bomb.place is not None
    assert (bomb.place.country, bomb.place.city) == ("SV", "San Salvador")


def test_a_foreign_country_that_only_speaks_is_not_the_place() -> None:
    e = only_event(
        "SAN SALVADOR, 17 JUN 89 -- [TEXT] NICARAGUA HAS DENIED ANY LINK WITH THE "
        "ASSASSINATION OF A SALVADORAN MINISTER YESTERDAY."
    )
    assert e.place is not None
    assert e.place.country == "SV"


def test_a_dateline_without_a_date_is_still_a_dateline() -> None:
    # "SAN SALVADOR, NO DATE (DOMESTIC SERVICE) --" files the report in San Salvador
    text = (
        "SAN SALVADOR, NO DATE (DOMESTIC SERVICE) -- [SPEECH] [TEXT] [CONTINUED] SOME "
        "GENTLEMEN IN NICARAGUA SAY THE WAR GOES ON.  GUERRILLAS SHOT DEAD A JUDGE AS HE LEFT "
        "HIS HOME, POLICE SAID."
    )
    assert country_and_city(text) == ("SV", "San Salvador")


def test_here_in_a_report_is_the_datelines_city() -> None:
    e = only_event(
        "BOGOTA, 16 AUG 89 -- [TEXT] A JUDGE WAS SHOT DEAD HERE TODAY BY FOUR MEN ON MOTORCYCLES."
    )
    assert e.place is not None
    assert (e.place.city, e.place.country, e.place.name) == ("Bogotá", "CO", "HERE")


def test_a_relayed_report_is_placed_by_the_storys_own_dateline() -> None:
    # Notimex relays from Mexico City a story filed in San Salvador.
    assert country_and_city(
        "MEXICO CITY (MEXICO), 2 MAY 90 (NOTIMEX) -- [EXCERPTS] SAN\nSALVADOR, 2 MAY "
        "(NOTIMEX) -- URBAN GUERRILLAS DYNAMITED A POWER PYLON, POLICE SAID."
    ) == ("SV", "San Salvador")


def test_a_story_filed_from_a_city_under_a_capitals_dateline_is_placed_there() -> None:
    # "[TEXT] PEREIRA --": the radio network is in Bogota; the story is from Pereira.
    assert country_and_city(
        "BOGOTA, 11 NOV 89 (RADIO CADENA NACIONAL) -- [TEXT] PEREIRA -- THE CITY IS CALM "
        "TODAY.  THE MAYOR SPOKE ON THE RADIO.  ON 6 SEPTEMBER THREE BOMBS EXPLODED, "
        "RESULTING IN 17 PERSONS INJURED."
    ) == ("CO", "Pereira")


def test_a_town_only_one_country_has_says_which_country_the_report_is_about() -> None:
    # La Paz is a department of El Salvador, of Bolivia and of Honduras; Jiquilisco and
    # Jucuapa are towns only El Salvador has (two agree: one alone could be a word).
    e = only_event(
        "CLANDESTINE, 13 NOV 89 (RADIO VENCEREMOS) -- [TEXT] REBEL UNITS HAVE TAKEN "
        "CONTROL OF THE ROADS BETWEEN JUCUAPA AND JIQUILISCO.  A "
        "REPORT FROM LA PAZ DEPARTMENT SAYS THAT TODAY A SOLDIER FIRED A RIFLE AT A CIVILIAN "
        "WOMAN, WOUNDING HER IN THE HEAD."
    )
    assert e.place is not None
    assert (e.place.country, e.place.region) == ("SV", "La Paz")


def test_a_town_the_gazetteer_lacks_is_taken_when_the_text_calls_it_a_town() -> None:
    # Hostigal is in no gazetteer Tearline ships; "the small town of" says what it is,
    # and the report's country is Peru.
    text = (
        "LIMA, 12 SEP 89 (EFE) -- [TEXT] SHINING PATH GUERRILLAS HAVE KILLED THE MAYOR OF "
        "THE SMALL TOWN OF HOSTIGAL, AS WELL AS TWO PEASANTS, POLICE SAID."
    )
    e = only_event(text)
    assert e.place is not None
    assert (e.place.country, e.place.city, e.place.precision) == (
        "PE",
        "Hostigal",
        PlacePrecision.CITY,
    )
    assert e.place.span.start == text.index("HOSTIGAL")
    assert e.place.lat is None  # no coordinates are made up for it
    assert e.place.geonameid is None


def test_a_town_named_with_its_department_takes_the_departments_country() -> None:
    # San Francisco Javier: not San Francisco, California, nor only the department.
    e = only_event(
        "SAN SALVADOR, 19 MAR 89 (ACAN-EFE) -- [TEXT] GUERRILLAS AMBUSHED AND KILLED A "
        "DUTCH REPORTER TODAY IN SAN FRANCISCO\nJAVIER, USULUTAN DEPARTMENT, IN EASTERN EL "
        "SALVADOR."
    )
    assert e.place is not None
    assert (e.place.country, e.place.city, e.place.region) == (
        "SV",
        "San Francisco Javier",
        "Usulutan",  # the department, by its GeoNames name
    )


def test_a_name_that_is_no_town_is_not_taken_for_one() -> None:
    # "in the millions" is no place; Nueva Florida, named with its municipality, is.
    assert country_and_city(
        "BOGOTA, 3 MAR 90 -- [TEXT] ELN GUERRILLAS BLEW UP A PRIVATE PLANE CAUSING PROPERTY "
        "DAMAGE IN THE MILLIONS IN NUEVA FLORIDA, MIRAFLORES MUNICIPALITY."
    ) == ("CO", "Nueva Florida")


def test_a_known_town_keeps_the_gazetteers_reading_when_called_a_town() -> None:
    e = only_event("Gunmen attacked a bus in the town of Kerman on Friday, killing 4 people.")
    assert e.place is not None
    assert (e.place.city, e.place.country) == ("Kerman", "IR")
    assert e.place.geonameid is not None


def test_towns_listed_for_one_attack_are_one_event_each() -> None:
    text = (
        "SANTIAGO, 3 JAN 90 (EFE) -- [TEXT] BOMBS EXPLODED TODAY IN SANTIAGO, TALCA AND "
        "TEMUCO, DAMAGING THREE BANKS.  THE MANUEL RODRIGUEZ PATRIOTIC FRONT CLAIMED THE "
        "ATTACKS."
    )
    events = extract(text, DEMO_DATE)
    assert [(e.place.city, e.place.country) for e in events if e.place] == [
        ("Santiago", "CL"),
        ("Talca", "CL"),
        ("Temuco", "CL"),
    ]
    assert len({e.evidence for e in events}) == 1  # the same sentence says it of each


def test_a_foreign_city_listed_among_a_countrys_towns_is_a_town_of_that_country() -> None:
    text = (
        "SAN SALVADOR, 19 MAR 89 (RADIO CADENA YSKL) -- [TEXT] ATTACKS ON VOTING TABLES WERE "
        "REPORTED IN CHALATENANGO, SAN ANTONIO, CIUDAD BARRIOS, AND NORTH USULUTAN."
    )
    events = extract(text, DEMO_DATE)
    places = [e.place for e in events if e.place]
    # Not San Antonio, Texas: a town of El Salvador the gazetteer does not know, named
    # and not placed (no coordinates are invented for it).
    assert [(p.city, p.country) for p in places] == [
        ("Chalatenango", "SV"),
        ("San Antonio", "SV"),
        ("Ciudad Barrios", "SV"),
    ]
    assert places[1].lat is None
    assert places[1].geonameid is None


def test_a_town_named_twice_in_a_list_is_one_event() -> None:
    e = only_event("Bombs exploded in Kerman and Kerman province on Friday, killing 4 people.")
    assert e.place is not None
    assert e.place.city == "Kerman"


def test_words_after_a_town_in_capitals_are_not_taken_into_its_name() -> None:
    from tearline.extract._doc import prepare
    from tearline.extract._places import find_settlements

    doc = prepare(
        "LIMA, 2 JUL 89 -- [TEXT] IN THE TOWN OF SAN CLEMENTE TERRORISTS THREW BOMBS AT "
        "THE HOMES OF CANDIDATES.  A SOLDIER DIED NEAR LA ESPERANZA FARM, SANTA ELENA "
        "JURISDICTION, USULUTAN DEPARTMENT.  THEY ATTACKED HIS FARM CALLED EL LIMON, "
        "ARBOLEDAS MUNICIPALITY."
    )
    # "terrorists" is an event word: the name stops before it; a farm is no town; "his
    # farm called El Limon" is no name.
    assert [" ".join(s.span.text.split()) for s in find_settlements(doc)] == ["SAN CLEMENTE"]


def test_a_battalion_named_after_a_town_is_no_town() -> None:
    from tearline.extract import gazetteer
    from tearline.extract._doc import prepare
    from tearline.extract._places import find_places

    doc = prepare(
        "SAN SALVADOR, 7 DEC 89 -- [TEXT] OUR GUERRILLAS USED MORTARS DURING AN ATTACK ON THE "
        "SAN BENITO BATTALION'S POSITIONS NEAR ZONA ROSA."
    )
    # "the San Benito Battalion's positions" names a unit, not the town of San Benito
    assert [pm.span.text for pm in find_places(doc, gazetteer.load(), [])] == ["SAN SALVADOR"]


def test_where_a_victim_comes_from_is_not_where_the_event_happened() -> None:
    assert country_and_city(
        "BOGOTA, 6 SEP 89 (INRAVISION TELEVISION CADENA 1) -- [TEXT] LUZ AMPARO GOMEZ SERNA, "
        "A 29-YEAR-OLD WOMAN FROM CALI, WAS MURDERED AT 1620 THIS AFTERNOON."
    ) == ("CO", "Bogotá")


def test_of_two_places_the_one_by_the_event_word_is_where_it_happened() -> None:
    # Ayacucho is where the police spoke; Huanta is where the mayor was killed.
    assert country_and_city(
        "LIMA, 3 MAR 90 (EFE) -- [TEXT] THE POLICE IN AYACUCHO REPORTED THAT SHINING PATH "
        "TERRORISTS KILLED A MAYOR IN HUANTA TODAY."
    ) == ("PE", "Huanta")


def test_a_town_followed_by_its_municipality_is_one_place_not_a_list() -> None:
    # "Juan Bueno, Arboledas Municipality": Juan Bueno in Arboledas, not two towns.
    assert country_and_city(
        "BOGOTA, 12 JAN 90 (RCN) -- [TEXT] REPORTS ON THE REGRETTABLE CASE IN ARBOLEDAS "
        "DESCRIBE HOW MAYOR PEDRO HERNANDEZ WAS MURDERED BY GUERRILLAS AT JUAN BUENO, "
        "ARBOLEDAS MUNICIPALITY, TODAY."
    ) == ("CO", "Juan Bueno")


def test_a_town_named_as_one_is_not_a_namesake_abroad() -> None:
    # The gazetteer's only Campina is in Romania, which this report from Peru never names.
    assert country_and_city(
        "LIMA, 28 JAN 90 (EFE) -- [TEXT] SHINING PATH TERRORISTS MURDERED TWO BROTHERS AND "
        "THEIR MOTHER IN THE TOWNSHIP OF CAMPINA, 60 KM SOUTH OF AYACUCHO, ON 26 JANUARY."
    ) == ("PE", "Campina")


def test_a_port_or_city_the_gazetteer_lacks_is_taken_when_the_text_calls_it_one() -> None:
    e = only_event(
        "BOGOTA, 17 JUN 89 (EFE) -- [TEXT] THE MAIN OIL RESERVES IN THE CARIBBEAN PORT CITY "
        "OF COVENITAS WERE DESTROYED BY SEVERAL DYNAMITE BLASTS SET OFF BY ELN GUERRILLAS."
    )
    assert e.place is not None
    assert (e.place.country, e.place.city) == ("CO", "Covenitas")  # a name GeoNames lacks
    # a name that runs on into the sentence is not taken for a city's
    text = (
        "LIMA, 9 OCT 89 (EFE) -- [TEXT] THE CITY OF ICA REPRESENTS THOUSANDS OF CITIES "
        "WHERE TERRORISTS BOMBED A BANK TODAY."
    )
    assert all(
        e.place is None or e.place.city != "Ica Represents Thousands"
        for e in extract(text, DEMO_DATE)
    )


def test_a_town_named_with_its_nationality_or_division_is_in_that_country() -> None:
    # Filed in Tegucigalpa about Honduran troops, but the hamlet is in San Miguel
    # Department: El Salvador. Filed in La Paz, but the town is Peruvian.
    hamlet = only_event(
        "TEGUCIGALPA, 29 MAY 89 (ACAN-EFE) -- [TEXT] HONDURAN ARMY TROOPS ATTACKED THE "
        "HAMLET OF TIERRA AGRIA, SAN MIGUEL DEPARTMENT, KILLING TWO CIVILIANS, THE HONDURAN "
        "PRESS SAID."
    )
    assert hamlet.place is not None
    assert (hamlet.place.country, hamlet.place.city) == ("SV", "Tierra Agria")
    town = only_event(
        "LA PAZ, 18 OCT 89 (EFE) -- [TEXT] A BOMB EXPLODED EARLY TODAY IN THE PERUVIAN TOWN "
        "OF ZEPITA, NEAR THE BOLIVIAN BORDER, DESTROYING THE POLICE STATION."
    )
    assert town.place is not None
    assert (town.place.country, town.place.city) == ("PE", "Zepita")


def test_with_nothing_else_to_go_by_the_country_its_places_share_decides() -> None:
    # No dateline country, no nationality: "Santa Ana" alone would be California's (the
    # largest), but with "San Salvador" the report is about El Salvador.
    assert country_and_city(
        "CLANDESTINE, 13 NOV 89 (RADIO VENCEREMOS) -- [TEXT] OUR FORCES HAVE SEIZED THE "
        "SAN SALVADOR - SANTA ANA HIGHWAY.  THE 2D INFANTRY BRIGADE IN SANTA ANA HAS BEEN "
        "ATTACKED WITH RIFLES AND MORTARS, AND FIVE SOLDIERS WERE KILLED."
    ) == ("SV", "Santa Ana")


def test_a_saints_name_longer_than_the_gazetteers_is_a_town() -> None:
    # The gazetteer knows San Luis (in several countries), not San Luis de la Reina.
    assert country_and_city(
        "SAN SALVADOR, 3 JAN 90 -- [TEXT] ABOUT 50 PEASANTS HAVE BEEN KIDNAPPED BY FMLN "
        "TERRORISTS.  THE MASS KIDNAPPING TOOK PLACE ON 30 DECEMBER IN SAN LUIS DE LA REINA."
    ) == ("SV", "San Luis de la Reina")
    # a name the gazetteer has whole, in whatever country, stays the gazetteer's place
    known = only_event(
        "SAN SALVADOR, 3 JAN 90 -- [TEXT] GUERRILLAS KIDNAPPED A NICARAGUAN DIPLOMAT "
        "YESTERDAY IN SAN JOSE."
    )
    assert known.place is not None
    assert known.place.geonameid is not None


def test_a_country_named_after_a_city_qualifies_it_though_a_town_shares_its_name() -> None:
    # "Costa Rica" is also a town's name (in Mexico); after "San Jose," it is the country.
    e = only_event(
        "MANAGUA, 3 JAN 90 -- [TEXT] GUERRILLAS KIDNAPPED A NICARAGUAN DIPLOMAT YESTERDAY "
        "IN SAN JOSE, COSTA RICA."
    )
    assert e.place is not None
    assert (e.place.country, e.place.city) == ("CR", "San José")
    assert e.place.geonameid is not None  # the gazetteer's city, with its coordinates
    assert e.place.lat is not None


def test_a_city_no_other_place_is_named_after_is_itself_in_a_report_from_nowhere() -> None:
    # A clandestine radio names a Costa Rican president and bombings in Soyapango: the
    # only Soyapango is in El Salvador. Filed from Bogota, a businessman's time in Miami
    # does not move his kidnapping there.
    assert country_and_city(
        "CLANDESTINE, 13 NOV 89 (RADIO VENCEREMOS) -- [TEXT] WE CALL ON COSTA RICAN "
        "PRESIDENT OSCAR ARIAS TO STOP THE BOMBINGS.  THIS MORNING A PLANE DROPPED A BOMB "
        "ON A CIVILIAN HOME IN SOYAPANGO, WOUNDING A 12-YEAR-OLD GIRL."
    ) == ("SV", "Soyapango")
    kidnapping = only_event(
        "BOGOTA, 18 JUL 89 (EFE) -- [TEXT] THE BUSINESSMAN, WHO SPENDS MOST OF HIS TIME IN "
        "MIAMI, WAS KIDNAPPED ON 9 JULY BY SEVERAL UNKNOWN PERSONS IN BELLO."
    )
    assert kidnapping.place is not None
    assert kidnapping.place.country == "CO"


def test_a_list_of_towns_is_one_event_in_each_known_to_the_gazetteer_or_not() -> None:
    events = extract(
        "LIMA, 11 MAR 89 (EFE) -- [TEXT] EL COMERCIO REPORTED THAT ALLEGED SHINING PATH "
        "MEMBERS ATTACKED PUBLIC FACILITIES IN HUARPACHA, AMBO, TOMAYQUICHUA, AND KICHKI, IN "
        "HUANUCO DEPARTMENT.",
        DEMO_DATE,
    )
    # Only Ambo is in the gazetteer; the names listed with it are towns of Peru too.
    assert [(e.place.country, e.place.city) for e in events if e.place] == [
        ("PE", "Huarpacha"),
        ("PE", "Ambo"),
        ("PE", "Tomayquichua"),
        ("PE", "Kichki"),
    ]
    ambo, huarpacha = events[1].place, events[0].place
    assert ambo is not None
    assert ambo.lat is not None
    assert huarpacha is not None
    assert huarpacha.lat is None  # named, not located


def test_a_town_list_after_a_word_for_towns_and_a_longer_name_than_the_gazetteers() -> None:
    events = extract(
        "Lima, 5 Oct 89 (EFE) -- The attacks took place at dawn in the towns of Santo Tomas "
        "de Pata, Pulluhuaman, Anta, and Rosaspata, where Shining Path rebels killed 26 "
        "peasants.",
        DEMO_DATE,
    )
    # "Santo Tomas de Pata" is not the gazetteer's Santo Tomas (but a town of its own)
    assert [e.place.city for e in events if e.place] == [
        "Santo Tomás de Pata",
        "Pulluhuaman",
        "Anta",
        "Rosaspata",
    ]


def test_lists_that_are_not_of_towns_add_no_towns() -> None:
    from tearline.extract._doc import prepare
    from tearline.extract._places import find_town_lists

    def lists(text: str) -> list[list[str]]:
        return [[s.text for s in t.items] for t in find_town_lists(prepare(text))]

    assert lists("Rebels attacked in Ambo, Huarpacha, and Kichki, police said.") == [
        ["Ambo", "Huarpacha", "Kichki"]
    ]
    # provinces, not towns; a list that ends in no town's name; words, not names
    assert lists("Planes bombed communities in Zelaya, Matagalpa, and Jinotega departments.") == []
    assert lists("They attacked in San Miguel, Usulutan, and the Comalapa airport.") == []
    assert lists("They believe in democracy, freedom, and peace.") == []
    assert lists("Guerrillas attacked in Zacamil, Soyapango, and San Marcos neighborhoods.") == []


def test_of_two_places_alike_the_one_after_the_event_word_is_where_it_happened() -> None:
    # La Libertad is nearer "shot", but it is where he was coming from.
    assert country_and_city(
        "SAN SALVADOR, 2 JUL 89 (ACAN-EFE) -- [TEXT] GUTIERREZ CASTRO WAS RETURNING TO SAN "
        "SALVADOR FROM THE BEACH IN LA LIBERTAD WHEN HIS CAR WAS SHOT AT NEAR THE TOWN OF "
        "ZARAGOZA."
    ) == ("SV", "Zaragoza")


def test_a_report_from_nowhere_is_about_the_country_of_a_city_only_it_has() -> None:
    # "Costa Rican president" names Costa Rica; Soyapango, a city no other place is
    # named after, names El Salvador as well: San Miguel is El Salvador's.
    events = extract(
        "CLANDESTINE, 13 NOV 89 (RADIO VENCEREMOS) -- [TEXT] WE MAKE A SPECIAL CALL TO COSTA "
        "RICAN PRESIDENT OSCAR ARIAS TO PRESSURE THE GOVERNMENT.  AT ABOUT 0900, A PLANE "
        "DROPPED A BOMB THAT HIT A CIVILIAN HOME IN SAN MIGUEL.  YESTERDAY A GIRL WAS KILLED "
        "BY A BOMB IN SOYAPANGO.",
        DEMO_DATE,
    )
    assert [(e.place.country, e.place.city) for e in events if e.place] == [
        ("SV", "San Miguel"),
        ("SV", "Soyapango"),
    ]


def test_a_city_lent_by_another_sentence_is_not_split_into_its_list() -> None:
    events = extract(
        "SAN SALVADOR, 17 NOV 89 -- [TEXT] WE STRESS OUR PERMANENT HARASSMENT OF ENEMY FORCES "
        "IN ZACATECOLUCA, CHALATENANGO, AND SANTA ANA.  YESTERDAY GUERRILLAS BLEW UP TWO "
        "ELECTRICAL TOWERS WITH DYNAMITE, LEAVING MOST OF THE COUNTRY WITHOUT ELECTRICITY.",
        DEMO_DATE,
    )
    # The sabotage names no place; the last city before it stands for it, not the list.
    assert len(events) == 1
    assert events[0].place is not None
    assert events[0].place.country == "SV"


def test_a_city_quarter_named_by_compass_point_is_where_it_happened() -> None:
    # "northeastern San Salvador": as "in"; the report is filed from Panama.
    assert country_and_city(
        "PANAMA CITY, 21 NOV 89 (ACAN) -- [TEXT] EYEWITNESSES REPORTED THAT SALVADORAN "
        "GUERRILLAS THIS MORNING BOMBED THE SHERATON HOTEL LOCATED IN ESCALON NEIGHBORHOOD, "
        "NORTHEASTERN SAN SALVADOR."
    ) == ("SV", "San Salvador")


def test_a_list_with_a_province_places_the_towns_it_knows_and_adds_none() -> None:
    text = (
        "SAN SALVADOR, 20 SEP 89 -- [TEXT] THE ARMED FORCES BOMBED CIVILIAN POPULATIONS IN "
        "MORAZAN, CHALATENANGO, AND {}."
    )
    events = extract(text.format("GUAZAPA"), DEMO_DATE)
    assert [e.place.city for e in events if e.place] == ["Chalatenango", "Guazapa"]
    # Morazan is a department: an unknown name beside it may be anything, not a town
    events = extract(text.format("LAS VUELTAS"), DEMO_DATE)
    assert [e.place.city for e in events if e.place] == ["Chalatenango"]
    # beside towns only, it is a town ("Las" may begin a name)
    events = extract(text.replace("MORAZAN", "APOPA").format("LAS VUELTAS"), DEMO_DATE)
    assert [e.place.city for e in events if e.place] == ["Apopa", "Chalatenango", "Las Vueltas"]


def test_a_place_measured_from_is_not_where_it_happened() -> None:
    # Lima is where the distance is measured from; Huancayo is paralyzed.
    assert country_and_city(
        "LIMA, 7 APR 90 (AFP) -- [TEXT] HUANCAYO, 415 KM SOUTHEAST OF LIMA, IS COMPLETELY "
        'PARALYZED BY THE "ARMED STRIKE" CALLED BY THE SHINING PATH.'
    ) == ("PE", "Huancayo")


def test_the_town_a_named_part_is_in_is_where_it_happened() -> None:
    # Narino is a corregimiento (a part) of Tulua, not the department of Narino.
    assert country_and_city(
        "BOGOTA, 11 SEP 89 (RCN) -- [TEXT] A POLICEMAN AND HIS SON WERE KILLED BY PAID "
        "ASSASSINS AS THEY WERE LEAVING A LOCAL CHURCH IN NARINO CORREGIMIENTO, TULUA, IN "
        "CENTRAL VALLE DEL CAUCA DEPARTMENT."
    ) == ("CO", "Tuluá")


def test_two_towns_said_to_be_towns_and_a_saints_town_attacked() -> None:
    from tearline.extract._doc import prepare
    from tearline.extract._places import find_town_lists

    text = (
        "EL PARAISO, 19 MAR 89 (ACAN-EFE) -- [TEXT] SEVEN REBELS DIED NEAR THE TOWNS OF "
        "TEJUTLA AND SAN MIGUEL DE MERCEDES.  A PEASANT WOMAN DIED WHEN A BOMB EXPLODED IN "
        "HER KITCHEN DURING THE ATTACK ON SAN MIGUEL DE MERCEDES."
    )
    # two names are a list where a word says they are towns
    assert [[s.text for s in t.items] for t in find_town_lists(prepare(text))] == [
        ["TEJUTLA", "SAN MIGUEL DE MERCEDES"]
    ]
    assert find_town_lists(prepare("REBELS ATTACKED IN TEJUTLA AND OLOCUILTA.")) == []
    e = only_event(text.replace("EL PARAISO", "SAN SALVADOR"))
    assert e.place is not None
    # not the gazetteer's San Miguel: the town's whole name
    assert (e.place.country, e.place.city) == ("SV", "San Miguel de Mercedes")


def test_a_town_qualified_by_a_country_that_has_none_of_its_name_is_that_countrys() -> None:
    # The gazetteer's El Paraiso is in Honduras; the dateline says El Salvador.
    e = only_event(
        "EL PARAISO (EL SALVADOR), 19 MAR 89 (ACAN-EFE) -- [TEXT] GUERRILLAS ATTACKED THE "
        "GARRISON HERE LAST NIGHT, KILLING ONE SOLDIER."
    )
    assert e.place is not None
    assert (e.place.country, e.place.city, e.place.lat) == ("SV", "El Paraiso", None)


def test_an_event_the_reports_own_country_reacts_to_happened_elsewhere() -> None:
    text = (
        "TEGUCIGALPA, 9 JUN 89 (ACAN-EFE) -- [TEXT] THE HONDURAN GOVERNMENT TODAY DENOUNCED "
        "THE ASSASSINATION OF SALVADORAN PRESIDENCY MINISTER JOSE ANTONIO RODRIGUEZ PORTH."
    )
    e = only_event(text)
    assert e.place is not None
    # not Honduras, where the report was filed and the government reacted
    assert e.place.country == "SV"
    # a report of its own country's event is unchanged
    e = only_event(text.replace("DENOUNCED", "REPORTED").replace("SALVADORAN", "HONDURAN"))
    assert e.place is not None
    assert e.place.country == "HN"
    # the reacting party's own place is not where it happened either
    for text in [
        "HAVANA (CUBA), 21 NOV 89 (RADIO RELOJ) -- [TEXT] HAVANA UNIVERSITY PROFESSORS HAVE "
        "REPUDIATED THE BRUTAL ASSASSINATION OF PRIESTS IGNACIO ELLACURIA AND IGNACIO MARTIN "
        "BARO OF THE UNIVERSITY OF EL SALVADOR.",
        "MANAGUA (NICARAGUA), 17 JUN 89 (RADIO SANDINO) -- [TEXT] NICARAGUA HAS DENIED ANY "
        "LINKS WITH THE ASSASSINATION OF SALVADORAN PRESIDENCY MINISTER ANTONIO RODRIGUEZ "
        "PORTH 8 DAYS AGO.",
    ]:
        e = only_event(text)
        assert e.place is not None
        assert e.place.country == "SV", text


def test_the_town_a_neighbourhood_is_of_is_where_it_happened() -> None:
    assert country_and_city(
        "PANAMA CITY (PANAMA), 21 NOV 89 (ACAN) -- [TEXT] SALVADORAN AIR FORCE PLANES "
        "BOMBED FIVE PRIVATE HOMES IN THE CONACASTE NEIGHBORHOOD OF SOYAPANGO."
    ) == ("SV", "Soyapango")


def test_a_city_the_events_own_later_sentence_names_beats_the_datelines() -> None:
    # The first sentence names no place; the second, continuing it, puts it in Tulua.
    assert country_and_city(
        "BOGOTA, 11 SEP 89 (RADIO CADENA NACIONAL) -- [TEXT] CALI -- THE AUTHORITIES ARE "
        "ASTOUNDED AT THE KILLING OF A NATIONAL POLICEMAN AND HIS SON BY PAID ASSASSINS.  THE "
        "TWO WERE KILLED AS THEY WERE LEAVING A LOCAL CHURCH IN TULUA."
    ) == ("CO", "Tuluá")


def test_an_airport_named_after_no_city_is_no_town() -> None:
    # El Dorado is Bogota's airport, not the town of El Dorado in Meta; Bogota's own
    # airport is still in Bogota.
    e = only_event(
        "BOGOTA, 22 MAR 90 (EFE) -- [TEXT] A TERRORIST KILLED UP PRESIDENT BERNARDO JARAMILLO "
        "AT THE EL DORADO INTERNATIONAL AIRPORT TODAY."
    )
    assert e.place is not None
    assert (e.place.country, e.place.city) == ("CO", "Bogotá")
    assert country_and_city(
        "LIMA, 22 MAR 90 (EFE) -- [TEXT] A TERRORIST KILLED A POLICEMAN AT THE BOGOTA "
        "AIRPORT TODAY, COLOMBIAN POLICE SAID."
    ) == ("CO", "Bogotá")


def test_streets_named_after_cities_are_no_cities_and_los_may_begin_a_town() -> None:
    # Sarmiento and San Martin are streets of Buenos Aires here, not two towns.
    e = only_event(
        "BUENOS AIRES, 30 MAY 89 (NA) -- [TEXT] SEVEN PEOPLE WERE WOUNDED BY THE EXPLOSION OF "
        "A BOMB ON THE DOWNTOWN CORNER OF SARMIENTO AND SAN MARTIN STREETS."
    )
    assert e.place is not None
    assert (e.place.country, e.place.city) == ("AR", "Buenos Aires")
    e = only_event(
        "LIMA, 2 JUL 89 (EFE) -- [TEXT] A BUS CARRYING 27 SOLDIERS WAS BOMBED BY TERRORISTS "
        "NEAR THE 12TH BLOCK OF JUNIN STREET."
    )
    assert e.place is not None
    assert (e.place.country, e.place.city) == ("PE", "Lima")
    # "the mountain township of Los Quenes": a town, though "los" is a joiner
    assert country_and_city(
        "SANTIAGO, 24 AUG 89 -- [TEXT] THE FPMR CARRIED OUT AN ATTACK WITH RIFLES ON A POLICE "
        "DETACHMENT OF THE MOUNTAIN TOWNSHIP OF LOS QUENES, IN THE SEVENTH REGION."
    ) == ("CL", "Los Quenes")


def test_a_report_from_nowhere_is_in_the_country_its_group_fights_in() -> None:
    text = (
        "CLANDESTINE, 22 JUL 89 (RADIO VENCEREMOS) -- [COMMUNIQUE] [FARABUNDO MARTI NATIONAL "
        "LIBERATION FRONT] [TEXT] IN CONNECTION WITH THE BOMB ATTACK ON THE CENTRAL AMERICAN "
        "UNIVERSITY AT DAYBREAK ON 22 JULY, THE FMLN STATES THE FOLLOWING."
    )
    e = only_event(text)
    assert e.place is not None
    assert (e.place.country, e.place.precision) == ("SV", PlacePrecision.COUNTRY)
    # the place says where the country came from: the group's name as written
    assert "FARABUNDO MARTI" in e.place.name
    # a group that fights in many countries gives none
    assert only_event("ISIL claimed the bombing of a market at dawn, killing 12.").place is None


def test_a_capital_abroad_is_where_it_happened_in_capitals_too() -> None:
    # Only cities of a million were taken abroad in capitals; San Salvador has half that,
    # but a country's capital is no stray town.
    text = (
        "TEGUCIGALPA, 29 APR 88 (VOZ DE HONDURAS NETWORK) -- [TEXT] THE SAME DAY INCIDENTS "
        "WERE TAKING PLACE HERE, 13 PERSONS DIED IN SAN SALVADOR AS A RESULT OF A BOMB "
        "EXPLOSION."
    )
    assert country_and_city(text) == ("SV", "San Salvador")
    assert country_and_city(
        "Tegucigalpa, 29 Apr 88 -- The same day incidents were taking place here, 13 persons "
        "died in San Salvador as a result of a bomb explosion."
    ) == ("SV", "San Salvador")


def test_a_city_that_opens_the_report_is_where_its_unplaced_events_happen() -> None:
    # Filed in Bogota about Medellin: the bombings name no place of their own.
    text = (
        "BOGOTA, 7 SEP 89 (INRAVISION TELEVISION CADENA 1) -- [REPORT] [MARIBEL OSORIO] "
        "[TEXT] MEDELLIN CONTINUES TO LIVE THROUGH A WAVE OF TERROR.  AT APPROXIMATELY 1700 "
        "TODAY A BOMB EXPLODED INSIDE A FAST-FOOD RESTAURANT."
    )
    assert country_and_city(text) == ("CO", "Medellín")
    # a city named later as a subject lends nothing: the dateline's city stays
    assert country_and_city(
        "BOGOTA, 7 SEP 89 (EFE) -- [TEXT] A BOMB EXPLODED INSIDE A FAST-FOOD RESTAURANT "
        "TODAY.  MEDELLIN CONTINUES TO LIVE THROUGH A WAVE OF TERROR."
    ) == ("CO", "Bogotá")


def test_a_spokesmans_city_and_where_victims_had_been_are_not_where_it_happened() -> None:
    e = only_event(
        "WASHINGTON DC (UNITED STATES), 16 NOV 89 (EFE) -- [TEXT] SALVADORAN FOREIGN MINISTER "
        "JOSE MANUEL PACAS CASTRO TODAY CONDEMNED THE ASSASSINATION OF SIX JESUITS AND TWO "
        "WOMEN IN HIS COUNTRY.  A COMMUNIQUE RELEASED TODAY BY A FARABUNDO MARTI NATIONAL "
        "LIBERATION FRONT [FMLN] SPOKESMAN IN WASHINGTON BLAMED THE SALVADORAN ARMY FOR THE "
        "CRIME, AND ADDED THAT ALL OF THE BODIES HAD BULLET WOUNDS IN THE HEAD, INDICATING THAT "
        "THEY WERE EXECUTED."
    )
    assert e.place is not None
    assert e.place.country == "SV"
    # nor where people had been before it
    e = only_event(
        "SAN SALVADOR, 13 FEB 90 (DPA) -- [TEXT] THE MASSACRE TOOK PLACE AT A CAMP OF "
        "SALVADORAN REFUGEES WHO HAD BEEN IN HONDURAS, RESIDENTS SAID."
    )
    assert e.place is not None
    assert e.place.country == "SV"


def test_an_event_told_as_also_happening_is_another_event() -> None:
    # "was also attacked": a second attack, not more of the first, so it does not lend
    # the first its town (the Escalon neighbourhood is San Salvador's)
    for text in (
        "SAN SALVADOR, 1 AUG 89 -- [TEXT] GUERRILLAS ATTACKED A POLICE POST IN THE ESCALON "
        "NEIGHBORHOOD, KILLING TWO AGENTS.  THE COMMAND POST IN SOYAPANGO WAS ALSO ATTACKED.",
        "San Salvador, 1 Aug 89 -- Guerrillas attacked a police post in the Escalon "
        "neighborhood, killing two agents. The command post in Soyapango was also attacked.",
    ):
        first = extract(text, DEMO_DATE)[0]
        assert first.place is not None
        assert (first.place.country, first.place.city) == ("SV", "San Salvador"), text


def test_a_name_said_to_be_a_town_or_in_a_corregimiento_is_a_town() -> None:
    # Neither Oroya nor Sajandi is in the gazetteer: the words after the name say what it is
    for text, country, city in (
        (
            "LIMA, 5 MAY 89 -- [TEXT] TERRORISTS BLEW UP AN ORE TRAIN NEAR OROYA, A KEY "
            "MINING TOWN IN THE CENTRAL JUNGLE AREA, KILLING ONE PERSON.",
            "PE",
            "Oroya",
        ),
        (
            "Lima, 5 May 89 -- Terrorists blew up an ore train near Oroya, a key mining town "
            "in the central jungle area, killing one person.",
            "PE",
            "Oroya",
        ),
        (
            "BOGOTA, 9 MAR 90 -- [TEXT] THE FARC MEMBERS BLEW UP A POWER SUBSTATION AND A "
            "POWER PYLON IN SAJANDI, LA FONDA CORREGIMIENTO.",
            "CO",
            "Sajandi",
        ),
        (
            "Bogota, 9 Mar 90 -- The FARC members blew up a power substation and a power "
            "pylon in Sajandi, La Fonda corregimiento.",
            "CO",
            "Sajandi",
        ),
    ):
        e = extract(text, DEMO_DATE)[0]
        assert e.place is not None, text
        assert (e.place.country, e.place.city) == (country, city)


def test_a_report_from_nowhere_reads_its_towns_in_its_groups_country() -> None:
    # An FMLN communique from a clandestine radio: San Miguel is El Salvador's, even
    # though Berlin (which the gazetteer knows as a Salvadoran town only in mixed case)
    # names Germany's capital
    text = (
        "CLANDESTINE, NO DATE (RADIO VENCEREMOS) -- [TEXT] AN FMLN GUERRILLA UNIT ATTACKED "
        "SOLDIERS NEAR LISLIQUE.  URBAN GUERRILLAS SABOTAGED PYLONS AND TRANSFORMERS IN SAN "
        "MIGUEL CITY.  A NATIONAL POLICE POST IN BERLIN WAS RAIDED AND ATTACKED."
    )
    places = {(e.place.country, e.place.city) for e in extract(text, DEMO_DATE) if e.place}
    assert ("SV", "San Miguel") in places


def test_a_city_that_names_a_station_is_no_place_but_a_nations_territory_is() -> None:
    # (filed in Mexico City, so that the dateline lends the event no city)
    for text in (
        "MEXICO CITY, 29 MAY 89 (ACAN-EFE) -- [TEXT] THE REPORT BY THE REBELS, BROADCAST "
        "FROM SAN SALVADOR BY TEGUCIGALPA RADIO AMERICA, ADDED THAT A HONDURAN HELICOPTER "
        "WAS ATTACKED AND PURSUED 7 KM INSIDE HONDURAN TERRITORY BY A SALVADORAN AIRCRAFT.",
        "Mexico City, 29 May 89 (ACAN-EFE) -- The report by the rebels, broadcast from San "
        "Salvador by Tegucigalpa Radio America, added that a Honduran helicopter was attacked "
        "and pursued 7 km inside Honduran territory by a Salvadoran aircraft.",
        "Mexico City, 29 May 89 -- Honduran army troops have entered Salvadoran territory and "
        "kidnapped eleven peasants, the rebels said.",
    ):
        expected = ("SV", None) if "entered Salvadoran" in text else ("HN", None)
        assert country_and_city(text) == expected, text


def test_a_town_close_to_the_event_measured_from_is_where_it_happened() -> None:
    # "1 km from Tenjo": Tenjo, not Bogota (only the direction); "in Chilanga, 5 km north
    # of the city of San Francisco de la Gotera": Chilanga, which the gazetteer lacks
    for text, place in (
        (
            "BOGOTA, 5 MAY 89 -- [TEXT] IN A HOUSE LOCATED 1 KM FROM TENJO, NORTH OF BOGOTA, "
            "SOLDIERS FOUND THE BODIES OF 12 PEOPLE WHO HAD BEEN MURDERED.",
            ("CO", "Tenjo"),
        ),
        (
            "Bogota, 5 May 89 -- In a house located 1 km from Tenjo, north of Bogota, soldiers "
            "found the bodies of 12 people who had been murdered.",
            ("CO", "Tenjo"),
        ),
        (
            "SAN SALVADOR, 26 SEP 89 -- [TEXT] GUERRILLAS ATTACKED THE AIRSTRIP IN CHILANGA, "
            "5 KM NORTH OF THE CITY OF SAN FRANCISCO DE LA GOTERA, DESTROYING IT.",
            ("SV", "Chilanga"),
        ),
        (
            "San Salvador, 26 Sep 89 -- Guerrillas attacked the airstrip in Chilanga, 5 km north "
            "of the city of San Francisco de la Gotera, destroying it.",
            ("SV", "Chilanga"),
        ),
    ):
        assert country_and_city(text) == place, text


def test_a_nations_capital_is_that_countrys_capital_city() -> None:
    # a dispatch filed in Moscow about Lima; the Salvadoran capital from anywhere
    for text, place in (
        (
            "MOSCOW (USSR), 26 OCT 89 (DOMESTIC SERVICE) -- [TEXT] TERRORISTS PLACED A BOMB "
            "UNDER A DIPLOMAT'S CAR ON WEDNESDAY EVENING IN THE PERUVIAN CAPITAL.",
            ("PE", "Lima"),
        ),
        (
            "Moscow (USSR), 26 Oct 89 -- Terrorists placed a bomb under a diplomat's car on "
            "Wednesday evening in the Peruvian capital.",
            ("PE", "Lima"),
        ),
        (
            "A bomb exploded on the outskirts of the Salvadoran capital, killing 3.",
            ("SV", "San Salvador"),
        ),
        ("A BOMB EXPLODED IN THE COLOMBIAN CAPITAL OF BOGOTA, KILLING 3.", ("CO", "Bogotá")),
    ):
        assert country_and_city(text) == place, text


def test_an_also_attacked_with_no_place_of_its_own_does_not_join_the_event_before() -> None:
    # The Red Cross vehicles were "also" attacked: another attack, whose town (Mejicanos)
    # is not lent to the attack on the residence, which stays in the dateline's city
    for text in (
        "SAN SALVADOR, 11 NOV 89 -- [TEXT] GUERRILLAS ATTACKED THE PRESIDENTIAL RESIDENCE WITH "
        "RIFLES TONIGHT, KILLING TWO GUARDS.  TWO VEHICLES OF THE RED CROSS HAVE ALSO BEEN "
        "ATTACKED BY THE GUERRILLAS.  ONE OF THEM WAS DESTROYED BY FIRE IN MEJICANOS.",
        "San Salvador, 11 Nov 89 -- Guerrillas attacked the presidential residence with rifles "
        "tonight, killing two guards. Two vehicles of the Red Cross have also been attacked by "
        "the guerrillas. One of them was destroyed by fire in Mejicanos.",
    ):
        events = extract(text, DEMO_DATE)
        assert [e.place.city if e.place else None for e in events] == [
            "San Salvador",
            "Mejicanos",
        ], text
        assert "RESIDENCE" in events[0].evidence[0].text.upper()


def test_where_hostages_come_from_and_their_employers_name_are_not_where_they_were_taken() -> None:
    # "some thirty kilometers from the city of Medellin": near Medellin; "Mario Accurso of
    # Rome" is where he is from; the firm "Torno" is no Italian town
    for text in (
        "ROME (ITALY), 28 APR 89 (ANSA) -- [TEXT] TWO ITALIAN ENGINEERS WERE KIDNAPPED "
        "THURSDAY IN COLOMBIA FROM A CONSTRUCTION SITE SOME THIRTY KILOMETERS FROM THE CITY OF "
        "MEDELLIN.  THE TWO ITALIANS, ROBERTO ROASCIO OF MILAN AND MARIO ACCURSO OF ROME, WERE "
        'TAKEN HOSTAGE FROM THE WORK SITE WHERE THE MILANESE FIRM "TORNO" IS BUILDING A DAM.',
        "Rome (Italy), 28 Apr 89 (ANSA) -- Two Italian engineers were kidnapped Thursday in "
        "Colombia from a construction site some thirty kilometers from the city of Medellin. "
        "The two Italians, Roberto Roascio of Milan and Mario Accurso of Rome, were taken "
        'hostage from the work site where the Milanese firm "Torno" is building a dam.',
    ):
        events = extract(text, DEMO_DATE)
        assert [(e.place.country, e.place.city) for e in events if e.place] == [
            ("CO", "Medellín")
        ], text


def test_an_event_reported_in_this_town_as_well_as_in_that_is_one_per_town() -> None:
    for text, towns in (
        (
            "SAN SALVADOR, 22 NOV 89 (DOMESTIC SERVICE) -- [TEXT] WE HAVE ALSO LEARNED THAT THE "
            "FMLN HAS KIDNAPPED A LARGE NUMBER OF YOUTHS HERE IN THE SAN SALVADOR AREA AND MAINLY "
            "IN USULUTAN, AS WELL AS IN CHALATENANGO.",
            ["San Salvador", "Usulután", "Chalatenango"],
        ),
        (
            "San Salvador, 22 Nov 89 -- We have also learned that the FMLN has kidnapped a large "
            "number of youths here in the San Salvador area and mainly in Usulutan, as well as "
            "in Chalatenango.",
            ["San Salvador", "Usulután", "Chalatenango"],
        ),
        (
            "Bombs exploded in Bogota and also in Cali last night, killing three.",
            ["Bogotá", "Cali"],
        ),
    ):
        assert [e.place.city if e.place else None for e in extract(text, DEMO_DATE)] == towns


def test_a_report_from_nowhere_weighs_its_groups_country_as_a_dateline_would() -> None:
    # an FMLN communique that names Nicaragua twice in passing is about El Salvador
    for text in (
        "CLANDESTINE, 17 NOV 89 (RADIO VENCEREMOS) -- [TEXT] THE FMLN GENERAL COMMAND "
        "DENOUNCES THAT SOLDIERS MURDERED SIX JESUIT PRIESTS EARLY YESTERDAY MORNING.  WE ASK "
        "THE PEOPLE OF NICARAGUA, THE PEOPLE OF THE UNITED STATES AND THE GOVERNMENT OF "
        "NICARAGUA TO CONDEMN THIS CRIME.",
        "Clandestine, 17 Nov 89 (Radio Venceremos) -- The FMLN General Command denounces that "
        "soldiers murdered six Jesuit priests early yesterday morning. We ask the people of "
        "Nicaragua, the people of the United States and the government of Nicaragua to "
        "condemn this crime.",
    ):
        assert country_and_city(text) == ("SV", None), text


def test_a_bureau_abroad_weighs_less_than_the_country_its_report_is_about() -> None:
    # "MONTEVIDEO (URUGUAY)": a dateline naming its country, the mark of a bureau abroad;
    # the murder the text reports is Colombia's, named twice by nationality
    for text in (
        "MONTEVIDEO (URUGUAY), 22 AUG 89 (EL DIA) -- [TEXT] PRESIDENT SANGUINETTI SAID HE "
        "RECEIVED WITH PAIN THE NEWS OF THE MURDER OF THE COLOMBIAN SENATOR BY CRIMINALS AT "
        "THE SERVICE OF THE COLOMBIAN DRUG CARTELS.",
        "Montevideo (Uruguay), 22 Aug 89 (El Dia) -- President Sanguinetti said he received "
        "with pain the news of the murder of the Colombian senator by criminals at the "
        "service of the Colombian drug cartels.",
    ):
        assert country_and_city(text) == ("CO", None), text
    # ... and "Montevideo (Uruguay)" is still Montevideo in mixed case
    bomb = "Montevideo (Uruguay), 22 Aug 89 (El Dia) -- A bomb exploded at a bank, injuring two."
    assert country_and_city(bomb) == ("UY", "Montevideo")
