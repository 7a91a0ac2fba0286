"""Español: the fixed text of every warning in Spanish."""

from tearline.model import Harm, Method, TargetType
from tearline.release.phrases import Phrases, SmsPhrases

PHRASES = Phrases(
    code="es",
    locale="es",
    rtl=False,
    subject_warning="Aviso de amenaza para la vida: {place}",
    subject_alert="Alerta de seguridad: {place}",
    subject_update="Actualización: {subject}",
    subject_cancel="Anulado: {subject}",
    subject_all_clear="Fin de la alerta: {subject}",
    lead=(
        "{sender} dispone de información que indica una amenaza para la vida de personas. "
        "Se la transmitimos en cumplimiento de nuestro deber de advertir, para que pueda "
        "proteger a las personas en peligro."
    ),
    lead_update="Este aviso actualiza y sustituye el aviso {ref} del {date}.",
    lead_cancel="Queda anulado el aviso {ref} del {date}; no lo tenga en cuenta.",
    lead_all_clear=(
        "La amenaza descrita en el aviso {ref} del {date} ha pasado. Ese aviso ha dejado de "
        "estar en vigor."
    ),
    labels={
        "place": "Lugar",
        "time": "Periodo",
        "actor": "Grupo",
        "method": "Modo de ataque",
        "weapon": "Armas mencionadas en la información",
        "harm": "Intención",
        "targets": "Objetivos",
        "named_targets": "Posibles objetivos mencionados",
        "coordinates": "Coordenadas",
        "likelihood": "Probabilidad de un ataque (según nuestra evaluación)",
        "actions_official": "Medidas recomendadas",
        "location": "Ubicación",
        "event": "Evento",
        "actions_public": "Medidas que debe tomar",
        "valid": "Vigencia",
        "reference": "Referencia",
        "reply": "Cómo responder",
        "tlp": "Difusión",
    },
    named_group="el grupo «{name}»",
    actor_generic="un grupo extremista",
    actor_unknown="no identificado",
    place_unknown="no especificado",
    time_vague="en los próximos días",
    between="del {start} al {end} (UTC)",
    on_day="el {date} (UTC)",
    at_time="{start} – {end} (UTC)",
    coordinates="{latlon} (en un radio de {radius} km)",
    methods={
        Method.ARMED_ASSAULT: "ataque armado",
        Method.BOMBING: "atentado con explosivos",
        Method.SUICIDE_BOMBING: "atentado suicida con explosivos",
        Method.VEHICLE_RAMMING: "atropello intencionado con un vehículo",
        Method.ARSON: "incendio provocado",
        Method.KIDNAPPING: "secuestro",
        Method.ASSASSINATION: "asesinato selectivo",
        Method.HIJACKING: "secuestro de un avión o de otro medio de transporte",
        Method.STABBING: "ataque con arma blanca",
        Method.CBRN: "ataque con material químico, biológico, radiológico o nuclear",
        Method.ROBBERY: "robo a mano armada",
        Method.FORCED_WORK_STOPPAGE: "paro armado impuesto con amenazas",
        Method.UNKNOWN: "ataque (modo desconocido)",
    },
    harms={
        Harm.KILLING: "matar",
        Harm.SERIOUS_BODILY_INJURY: "causar lesiones graves",
        Harm.KIDNAPPING: "secuestrar",
        Harm.PROPERTY_DAMAGE: "causar daños materiales",
    },
    targets={
        TargetType.MASS_GATHERING: "grandes concentraciones de personas",
        TargetType.CONCERT: "conciertos y salas de conciertos",
        TargetType.RELIGIOUS: "lugares de culto y celebraciones religiosas",
        TargetType.TRANSPORT: "aeropuertos, estaciones y transporte público",
        TargetType.GOVERNMENT: "edificios gubernamentales",
        TargetType.DIPLOMATIC: "sedes diplomáticas",
        TargetType.MILITARY: "instalaciones militares",
        TargetType.POLICE: "la policía",
        TargetType.EDUCATION: "escuelas y universidades",
        TargetType.BUSINESS: "hoteles, centros comerciales y restaurantes",
        TargetType.INFRASTRUCTURE: "infraestructuras críticas",
        TargetType.PERSON: "personas concretas",
        TargetType.CIVILIANS: "población civil",
        TargetType.OTHER: "otros objetivos",
    },
    avoid={
        TargetType.MASS_GATHERING: (
            "Evite las grandes concentraciones de personas y los lugares concurridos."
        ),
        TargetType.CONCERT: "Evite los conciertos y las salas de conciertos.",
        TargetType.RELIGIOUS: (
            "Extreme la precaución en lugares de culto y celebraciones religiosas."
        ),
        TargetType.TRANSPORT: (
            "Extreme la precaución en aeropuertos, estaciones y en el transporte público."
        ),
        TargetType.GOVERNMENT: "Manténgase alejado de los edificios gubernamentales.",
        TargetType.DIPLOMATIC: "Manténgase alejado de las sedes diplomáticas.",
        TargetType.MILITARY: "Manténgase alejado de las instalaciones militares.",
        TargetType.POLICE: "Manténgase alejado de comisarías y controles policiales.",
        TargetType.EDUCATION: "Extreme la precaución en escuelas y universidades.",
        TargetType.BUSINESS: (
            "Extreme la precaución en hoteles, centros comerciales y restaurantes."
        ),
        TargetType.INFRASTRUCTURE: (
            "Prepárese para posibles interrupciones de servicios esenciales."
        ),
        TargetType.PERSON: (
            "Informe a la policía de cualquier vigilancia o acercamiento sospechoso."
        ),
        TargetType.CIVILIANS: "Evite los lugares concurridos.",
        TargetType.OTHER: "Informe a la policía de objetos o comportamientos sospechosos.",
    },
    likelihood={
        "almost no chance": "prácticamente nula",
        "very unlikely": "muy baja",
        "unlikely": "baja",
        "roughly even chance": "media",
        "likely": "alta",
        "very likely": "muy alta",
        "almost certain": "casi segura",
    },
    likelihood_value="{term} ({low}–{high} %)",
    official_actions=(
        "Refuerce la protección de los objetivos indicados, en el lugar y durante el periodo "
        "señalados.",
        "Transmita sin demora este aviso a los servicios encargados de proteger esos lugares "
        "y a esas personas.",
        "Infórmenos de las medidas que adopte y pídanos más información si la necesita.",
    ),
    official_actions_cancel=(
        "No tenga en cuenta el aviso anterior.",
        "Póngase en contacto con nosotros si tiene alguna pregunta.",
    ),
    official_actions_all_clear=(
        "Puede levantar las medidas de protección adoptadas a raíz del aviso anterior si lo "
        "considera seguro.",
        "Infórmenos si dispone de información de que la amenaza persiste.",
    ),
    public_event_generic="Hay informes de que extremistas planean un atentado inminente.",
    public_event_named="Hay informes de que {actor} planea un atentado inminente.",
    public_targets="Posibles objetivos: {targets}.",
    alert_time="La amenaza se mantiene {when}.",
    public_actions=(
        "Esté atento a su entorno.",
        "Siga los medios de comunicación locales para estar al tanto de las novedades.",
        "Siga las instrucciones de las autoridades locales.",
        "Revise sus planes de seguridad personal.",
    ),
    public_actions_cancel=("No tenga en cuenta la alerta anterior.",),
    public_actions_all_clear=(
        "Se levanta la alerta; puede retomar sus actividades habituales.",
        "Manténgase alerta y siga las instrucciones de las autoridades locales.",
    ),
    reply=(
        "Para acusar recibo, impugnar este aviso o solicitar más información, responda por el "
        "mismo canal por el que lo recibió, indicando la referencia {ref}."
    ),
    tlp={
        "CLEAR": "TLP:CLEAR — puede difundirse sin restricciones.",
        "GREEN": "TLP:GREEN — puede compartirse dentro de su comunidad profesional, pero no "
        "públicamente.",
        "AMBER": "TLP:AMBER — compártalo solo dentro de su organización y con quienes lo "
        "necesiten para proteger a las personas.",
        "AMBER+STRICT": "TLP:AMBER+STRICT — solo para su organización.",
        "RED": "TLP:RED — solo para los destinatarios nombrados; no lo difunda.",
    },
    signed=(
        "Este mensaje lleva la firma digital de su remitente ({sender}, clave {kid}). La firma "
        "se adjunta en el archivo {file}; cualquiera puede verificarla con las claves públicas "
        "del remitente."
    ),
    event_official="Amenaza para la vida",
    event_public="Alerta de seguridad",
    event_all_clear="Fin de la alerta",
    sms=SmsPhrases(
        head_public="ALERTA DE SEGURIDAD",
        head_official="AVISO DE AMENAZA",
        threat="posible atentado",
        targets="objetivos: {targets}",
        until="hasta el {date}",
        action="Evite las aglomeraciones.",
        ref="Ref. {ref}",
        cancel="{ref} anulado",
        all_clear="{ref}: fin de la alerta",
    ),
)
