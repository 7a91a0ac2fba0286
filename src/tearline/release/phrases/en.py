"""English: the reference text every other language translates."""

from tearline.model import Harm, Method, TargetType
from tearline.release.phrases import Phrases, SmsPhrases

PHRASES = Phrases(
    code="en",
    locale="en_GB",  # day month year: unambiguous for readers everywhere
    rtl=False,
    subject_warning="Warning of a threat to life: {place}",
    subject_alert="Security Alert: {place}",
    subject_update="Update: {subject}",
    subject_cancel="Withdrawn: {subject}",
    subject_all_clear="All clear: {subject}",
    lead=(
        "{sender} has information indicating a threat to life. We are passing it to you "
        "under our duty to warn, so that you can protect the people at risk."
    ),
    lead_update="This warning updates and replaces warning {ref} of {date}.",
    lead_cancel="Warning {ref} of {date} is withdrawn and should be disregarded.",
    lead_all_clear=(
        "The threat described in warning {ref} of {date} has passed. That warning is no "
        "longer in force."
    ),
    labels={
        "place": "Place",
        "time": "Time",
        "actor": "Group",
        "method": "Method",
        "weapon": "Weapons reported",
        "harm": "Intent",
        "targets": "Targets",
        "named_targets": "Named as possible targets",
        "coordinates": "Coordinates",
        "likelihood": "Likelihood of an attack (our assessment)",
        "actions_official": "Recommended actions",
        "location": "Location",
        "event": "Event",
        "actions_public": "Actions to take",
        "valid": "Valid",
        "reference": "Reference",
        "reply": "How to reply",
        "tlp": "Sharing",
    },
    named_group="{name}",
    actor_generic="an extremist group",
    actor_unknown="not identified",
    place_unknown="not specified",
    time_vague="in the coming days",
    between="from {start} to {end} (UTC)",
    on_day="on {date} (UTC)",
    at_time="{start} to {end} (UTC)",
    coordinates="{latlon} (within {radius} km)",
    methods={
        Method.ARMED_ASSAULT: "armed attack",
        Method.BOMBING: "bombing",
        Method.SUICIDE_BOMBING: "suicide bombing",
        Method.VEHICLE_RAMMING: "vehicle-ramming attack",
        Method.ARSON: "arson attack",
        Method.KIDNAPPING: "kidnapping",
        Method.ASSASSINATION: "assassination",
        Method.HIJACKING: "hijacking of an aircraft or vehicle",
        Method.STABBING: "knife attack",
        Method.CBRN: "attack with chemical, biological, radiological or nuclear material",
        Method.ROBBERY: "armed robbery",
        Method.FORCED_WORK_STOPPAGE: "an armed strike enforced by threats",
        Method.UNKNOWN: "attack (method not known)",
    },
    harms={
        Harm.KILLING: "to kill",
        Harm.SERIOUS_BODILY_INJURY: "to cause serious injury",
        Harm.KIDNAPPING: "to kidnap",
        Harm.PROPERTY_DAMAGE: "to damage property",
    },
    targets={
        TargetType.MASS_GATHERING: "large gatherings",
        TargetType.CONCERT: "concerts and concert venues",
        TargetType.RELIGIOUS: "places of worship and religious gatherings",
        TargetType.TRANSPORT: "airports, stations and public transport",
        TargetType.GOVERNMENT: "government buildings",
        TargetType.DIPLOMATIC: "diplomatic premises",
        TargetType.MILITARY: "military sites",
        TargetType.POLICE: "police",
        TargetType.EDUCATION: "schools and universities",
        TargetType.BUSINESS: "hotels, shopping centres and restaurants",
        TargetType.INFRASTRUCTURE: "critical infrastructure",
        TargetType.PERSON: "specific individuals",
        TargetType.CIVILIANS: "civilians",
        TargetType.OTHER: "other targets",
    },
    avoid={
        TargetType.MASS_GATHERING: "Avoid large gatherings and crowded places.",
        TargetType.CONCERT: "Avoid concerts and concert venues.",
        TargetType.RELIGIOUS: (
            "Be especially vigilant at places of worship and religious gatherings."
        ),
        TargetType.TRANSPORT: (
            "Be especially vigilant at airports, stations and on public transport."
        ),
        TargetType.GOVERNMENT: "Keep away from government buildings.",
        TargetType.DIPLOMATIC: "Keep away from diplomatic premises.",
        TargetType.MILITARY: "Keep away from military sites.",
        TargetType.POLICE: "Keep away from police stations and checkpoints.",
        TargetType.EDUCATION: "Be especially vigilant at schools and universities.",
        TargetType.BUSINESS: "Be especially vigilant at hotels, shopping centres and restaurants.",
        TargetType.INFRASTRUCTURE: "Be prepared for disruption to essential services.",
        TargetType.PERSON: "Report any suspicious approach or surveillance to the police.",
        TargetType.CIVILIANS: "Avoid crowded places.",
        TargetType.OTHER: "Report suspicious objects or behaviour to the police.",
    },
    likelihood={
        "almost no chance": "almost no chance",
        "very unlikely": "very unlikely",
        "unlikely": "unlikely",
        "roughly even chance": "roughly even chance",
        "likely": "likely",
        "very likely": "very likely",
        "almost certain": "almost certain",
    },
    likelihood_value="{term} ({low}–{high} %)",
    official_actions=(
        "Increase protective security at the targets named above, in the place and during "
        "the time given.",
        "Pass this warning without delay to the services that protect these places and people.",
        "Tell us what measures you take, and ask us if you need more information.",
    ),
    official_actions_cancel=(
        "Disregard the earlier warning.",
        "Contact us if you have any questions.",
    ),
    official_actions_all_clear=(
        "You may stand down the protective measures taken in response to the earlier "
        "warning, if you judge it safe.",
        "Tell us if you have information that the threat persists.",
    ),
    public_event_generic="Extremists are reported to be planning an imminent attack.",
    public_event_named="{actor} is reported to be planning an imminent attack.",
    public_targets="Possible targets: {targets}.",
    alert_time="The threat applies {when}.",
    public_actions=(
        "Be aware of your surroundings.",
        "Monitor local media for updates.",
        "Follow the instructions of local authorities.",
        "Review your personal security plans.",
    ),
    public_actions_cancel=("Disregard the earlier alert.",),
    public_actions_all_clear=(
        "The alert is lifted; you may resume normal activities.",
        "Stay vigilant and follow the instructions of local authorities.",
    ),
    reply=(
        "To acknowledge this warning, dispute it or ask for more information, reply through "
        "the channel it arrived by, quoting the reference {ref}."
    ),
    tlp={
        "CLEAR": "TLP:CLEAR — may be shared freely.",
        "GREEN": "TLP:GREEN — may be shared within your community, but not publicly.",
        "AMBER": "TLP:AMBER — share only within your organisation and with those who need "
        "it to protect people.",
        "AMBER+STRICT": "TLP:AMBER+STRICT — for your organisation only.",
        "RED": "TLP:RED — for the named recipients only; do not share it.",
    },
    signed=(
        "This message carries the digital signature of its sender ({sender}, key {kid}). "
        "The signature is attached as {file}; anyone can check it against the sender's "
        "published keys."
    ),
    event_official="Threat to life",
    event_public="Security alert",
    event_all_clear="All clear",
    sms=SmsPhrases(
        head_public="SECURITY ALERT",
        head_official="THREAT WARNING",
        threat="attack planned",
        targets="targets: {targets}",
        until="until {date}",
        action="Avoid crowds.",
        ref="Ref {ref}",
        cancel="{ref} withdrawn",
        all_clear="{ref}: all clear",
    ),
)
