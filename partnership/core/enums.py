"""Enumerations with stable codes (stored) and translated titles (shown), in one place."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from wtforms.fields.choices import SelectChoice

from partnership.core.lazy import lazy_gettext as _l


class TitledEnum(StrEnum):
    """A string enum whose members carry a lazily translated title."""

    @property
    def label(self) -> str:
        return str(TITLES[type(self)][self.value])

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        """The members as WTForms choices: stable code, lazily translated title."""
        return [SelectChoice(m.value, TITLES[cls][m.value]) for m in cls]


class OrgKind(TitledEnum):
    POLICE = "police"
    LICENSED_PREMISES = "licensed_premises"
    STREET_PASTORS = "street_pastors"
    WELFARE = "welfare"
    LOCAL_AUTHORITY = "local_authority"
    PARTNERSHIP = "partnership"


class Role(TitledEnum):
    PREMISES_STAFF = "premises_staff"
    WELFARE = "welfare"
    OFFICER = "officer"
    INSPECTOR = "inspector"
    COORDINATOR = "coordinator"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def org_kinds(self) -> frozenset[OrgKind]:
        """The organisation kinds a user with this role may belong to (DESIGN.md section 2)."""
        return ROLE_ORG_KINDS[self]

    @property
    def needs_two_factor(self) -> bool:
        return self in TWO_FACTOR_ROLES

    @property
    def is_police(self) -> bool:
        return self in POLICE_ROLES


ROLE_ORG_KINDS: dict[Role, frozenset[OrgKind]] = {
    Role.PREMISES_STAFF: frozenset({OrgKind.LICENSED_PREMISES}),
    Role.WELFARE: frozenset({OrgKind.STREET_PASTORS, OrgKind.WELFARE}),
    Role.OFFICER: frozenset({OrgKind.POLICE}),
    Role.INSPECTOR: frozenset({OrgKind.POLICE}),
    Role.COORDINATOR: frozenset({OrgKind.PARTNERSHIP, OrgKind.LOCAL_AUTHORITY}),
    Role.ANALYST: frozenset({OrgKind.PARTNERSHIP, OrgKind.LOCAL_AUTHORITY, OrgKind.POLICE}),
    Role.ADMIN: frozenset(OrgKind),
}

POLICE_ROLES = frozenset({Role.OFFICER, Role.INSPECTOR})
FRONTLINE_ROLES = frozenset({Role.PREMISES_STAFF, Role.WELFARE, Role.OFFICER, Role.INSPECTOR})
TWO_FACTOR_ROLES = frozenset({Role.OFFICER, Role.INSPECTOR, Role.COORDINATOR, Role.ADMIN})
ALL_ROLES = frozenset(Role)


class Rank(TitledEnum):
    PCSO = "pcso"
    CONSTABLE = "constable"
    SERGEANT = "sergeant"
    INSPECTOR = "inspector"


class Locale(TitledEnum):
    ENGLISH = "en"
    WELSH = "cy"


class Sharing(TitledEnum):
    ORGANISATION = "organisation"
    PARTNERSHIP = "partnership"
    POLICE = "police"


class Behaviour(TitledEnum):
    """The behaviour taxonomy of DESIGN.md section 3: stable codes, plain-language labels."""

    SEXUAL_CONDUCT = "assb.sexual_conduct"
    SEXUAL_COMMENTS = "assb.sexual_comments"
    ABUSE_AFTER_REJECTION = "assb.abuse_after_rejection"
    CATCALLING = "assb.catcalling"
    GETTING_CLOSE = "assb.getting_close"
    UNWANTED_TOUCHING = "assb.unwanted_touching"
    OUT_OF_CONTEXT = "aspb.out_of_context"
    LOITERING = "aspb.loitering"
    REPEATED_APPROACHES = "aspb.repeated_approaches"
    TARGETING_VULNERABLE = "aspb.targeting_vulnerable"
    FOLLOWING = "aspb.following"
    STARING = "aspb.staring"
    FILMING = "aspb.filming"
    SPIKING_SUSPECTED = "aspb.spiking_suspected"
    OTHER = "other"

    @property
    def group(self) -> str:
        return self.value.split(".")[0] if "." in self.value else "other"


class VictimResponse(TitledEnum):
    DISTRESSED = "distressed"
    MOVED_AWAY = "moved_away"
    ASKED_FOR_HELP = "asked_for_help"
    NO_VISIBLE_REACTION = "no_visible_reaction"
    NOT_KNOWN = "not_known"


class ActionTaken(TitledEnum):
    SPOKE_TO = "spoke_to"
    REFUSED_ENTRY = "refused_entry"
    EJECTED = "ejected"
    SAFE_SPACE_OFFERED = "safe_space_offered"
    POLICE_CALLED = "police_called"
    NO_ACTION = "no_action"


class ApparentSex(TitledEnum):
    MALE = "male"
    FEMALE = "female"
    NOT_SURE = "not_sure"


class AgeBand(TitledEnum):
    UNDER_18 = "under_18"
    AGE_18_24 = "18_24"
    AGE_25_34 = "25_34"
    AGE_35_44 = "35_44"
    AGE_45_PLUS = "45_plus"
    NOT_SURE = "not_sure"


class Height(TitledEnum):
    SHORT = "short"
    MEDIUM = "medium"
    TALL = "tall"
    NOT_SURE = "not_sure"


class Build(TitledEnum):
    SLIM = "slim"
    MEDIUM = "medium"
    HEAVY = "heavy"
    NOT_SURE = "not_sure"


class Vulnerability(TitledEnum):
    INTOXICATED = "intoxicated"
    ALONE = "alone"
    SEPARATED = "separated"
    APPEARS_UNDER_18 = "appears_under_18"
    DISTRESSED = "distressed"
    NO_WAY_HOME = "no_way_home"


class SafeSpaceReason(TitledEnum):
    SEPARATED = "separated"
    INTOXICATED = "intoxicated"
    HARASSED = "harassed"
    SPIKING_SUSPECTED = "spiking_suspected"
    INJURED = "injured"
    UPSET = "upset"
    NO_WAY_HOME = "no_way_home"
    PHONE_DEAD = "phone_dead"
    OTHER = "other"


class Support(TitledEnum):
    WATER = "water"
    PHONE_CHARGE = "phone_charge"
    CALLED_FRIEND = "called_friend"
    TAXI = "taxi"
    FIRST_AID = "first_aid"
    AMBULANCE = "ambulance"
    POLICE = "police"
    LISTENED = "listened"


class HandedTo(TitledEnum):
    NOBODY = "nobody"
    FRIEND = "friend"
    TAXI = "taxi"
    STREET_PASTORS = "street_pastors"
    WELFARE = "welfare"
    AMBULANCE = "ambulance"
    POLICE = "police"


class Gender(TitledEnum):
    WOMAN = "woman"
    MAN = "man"
    OTHER = "other"
    NOT_GIVEN = "not_given"


class SourceEvaluation(TitledEnum):
    """How far the source of a police note is trusted (the 3x5x2 model)."""

    RELIABLE = "1"
    UNTESTED = "2"
    NOT_RELIABLE = "3"


class IntelligenceAssessment(TitledEnum):
    """How the source came to know what a police note says (the 3x5x2 model)."""

    KNOWN_DIRECTLY = "A"
    INDIRECTLY_CORROBORATED = "B"
    KNOWN_INDIRECTLY = "C"
    NOT_KNOWN = "D"
    SUSPECTED_FALSE = "E"


class HandlingCode(TitledEnum):
    """Whether a police note may be passed on (the 3x5x2 model)."""

    PERMITTED = "P"
    CONDITIONS = "C"


class NoteSharing(TitledEnum):
    """Who may read a red flag note."""

    POLICE = "police"
    PARTNERSHIP = "partnership"


class ViewReason(TitledEnum):
    """Why someone opens a red flag profile: asked before it is shown, kept in the audit log."""

    CHECKING_TONIGHT = "checking_tonight"
    SHIFT_BRIEFING = "shift_briefing"
    NOTE_REVIEW = "note_review"
    MEETING = "meeting"
    OTHER = "other"


class Necessity(TitledEnum):
    """Why a Section 34 authorisation is necessary (section 34(2))."""

    HARASSMENT = "harassment_alarm_distress"
    CRIME = "crime_disorder"


class Exemption(TitledEnum):
    """What section 36 forbids a direction to do: asked before every direction."""

    UNDER_10 = "under_10"
    HOME = "home"
    WORK = "work"
    SCHOOL = "school"
    MEDICAL = "medical"
    COURT = "court"
    PICKET_PROCESSION = "picket_procession"


class Under16Action(TitledEnum):
    """What was done with a person who appears to be under 16 (section 35(4)(d))."""

    TAKEN_HOME = "taken_home"
    PLACE_OF_SAFETY = "place_of_safety"
    NOT_TAKEN = "not_taken"


class BreachOutcome(TitledEnum):
    """What police did about a breach of a direction."""

    ARRESTED = "arrested"
    REPORTED = "reported"
    WARNED = "warned"


class VenueBreachAction(TitledEnum):
    """What a venue did when an excluded person came in."""

    REFUSED_ENTRY = "refused_entry"
    ASKED_TO_LEAVE = "asked_to_leave"
    POLICE_CALLED = "police_called"


class AppealOutcome(TitledEnum):
    UPHELD = "upheld"
    VARIED = "varied"
    OVERTURNED = "overturned"


class DocumentLanguage(TitledEnum):
    """The language of a printed document: English, Welsh, or both with Welsh first."""

    ENGLISH = "en"
    WELSH = "cy"
    BILINGUAL = "cy_en"


class ReporterKind(TitledEnum):
    """Who is making a public report."""

    ME = "me"
    SOMEONE_ELSE = "someone_else"
    WITNESS = "witness"


class TimeOfNight(TitledEnum):
    """Roughly when something a member of the public reports happened."""

    EARLY_EVENING = "early_evening"
    LATE_EVENING = "late_evening"
    AFTER_MIDNIGHT = "after_midnight"
    SMALL_HOURS = "small_hours"
    DAYTIME = "daytime"
    NOT_SURE = "not_sure"


class TriageStatus(TitledEnum):
    """Where a public report stands in the police's daily triage."""

    NEW = "new"
    REVIEWED = "reviewed"
    URGENT = "urgent"
    NOT_FOR_ACTION = "not_for_action"


LOCALES = tuple(m.value for m in Locale)

TITLES: dict[type[TitledEnum], dict[str, Any]] = {
    OrgKind: {
        "police": _l("Police"),
        "licensed_premises": _l("Licensed premises"),
        "street_pastors": _l("Street Pastors"),
        "welfare": _l("Welfare"),
        "local_authority": _l("Local authority"),
        "partnership": _l("Partnership"),
    },
    Role: {
        "premises_staff": _l("Bar or door staff"),
        "welfare": _l("Street Pastor or welfare officer"),
        "officer": _l("Police officer"),
        "inspector": _l("Police inspector"),
        "coordinator": _l("Partnership coordinator"),
        "analyst": _l("Analyst"),
        "admin": _l("Administrator"),
    },
    Rank: {
        "pcso": _l("Police community support officer (PCSO)"),
        "constable": _l("Constable"),
        "sergeant": _l("Sergeant"),
        "inspector": _l("Inspector or above"),
    },
    Sharing: {
        "organisation": _l("My organisation and the police"),
        "partnership": _l("Everyone on the frontline in the partnership"),
        "police": _l("Police only"),
    },
    Behaviour: {
        "assb.sexual_conduct": _l("Sexual gestures or movements"),
        "assb.sexual_comments": _l("Sexual comments, innuendo or unwelcome jokes"),
        "assb.abuse_after_rejection": _l("Abuse after being turned down"),
        "assb.catcalling": _l("Wolf-whistling or cat-calling"),
        "assb.getting_close": _l("Brushing past or getting too close"),
        "assb.unwanted_touching": _l("Unwanted touching"),
        "aspb.out_of_context": _l("Out of place for the setting"),
        "aspb.loitering": _l("Hanging around, for example outside toilets"),
        "aspb.repeated_approaches": _l("Approaching group after group, or propositioning"),
        "aspb.targeting_vulnerable": _l("Targeting or approaching vulnerable people"),
        "aspb.following": _l("Following someone"),
        "aspb.staring": _l("Staring"),
        "aspb.filming": _l("Filming or taking photos without consent"),
        "aspb.spiking_suspected": _l("Suspected spiking"),
        "other": _l("Something else"),
    },
    VictimResponse: {
        "distressed": _l("Distressed"),
        "moved_away": _l("Moved away"),
        "asked_for_help": _l("Asked for help"),
        "no_visible_reaction": _l("No visible reaction"),
        "not_known": _l("Not known"),
    },
    ActionTaken: {
        "spoke_to": _l("Spoke to or warned them"),
        "refused_entry": _l("Refused entry"),
        "ejected": _l("Asked to leave or ejected"),
        "safe_space_offered": _l("Safe Space offered"),
        "police_called": _l("Police called"),
        "no_action": _l("No action"),
    },
    ApparentSex: {"male": _l("Male"), "female": _l("Female"), "not_sure": _l("Not sure")},
    AgeBand: {
        "under_18": _l("Under 18"),
        "18_24": _l("18 to 24"),
        "25_34": _l("25 to 34"),
        "35_44": _l("35 to 44"),
        "45_plus": _l("45 or over"),
        "not_sure": _l("Not sure"),
    },
    Height: {
        "short": _l("Short"),
        "medium": _l("Medium height"),
        "tall": _l("Tall"),
        "not_sure": _l("Not sure"),
    },
    Build: {
        "slim": _l("Slim"),
        "medium": _l("Medium build"),
        "heavy": _l("Heavy"),
        "not_sure": _l("Not sure"),
    },
    Vulnerability: {
        "intoxicated": _l("Very drunk or under the influence"),
        "alone": _l("On their own"),
        "separated": _l("Separated from friends"),
        "appears_under_18": _l("Looks under 18"),
        "distressed": _l("Upset or distressed"),
        "no_way_home": _l("No way home"),
    },
    SafeSpaceReason: {
        "separated": _l("Separated from friends"),
        "intoxicated": _l("Too drunk or unwell"),
        "harassed": _l("Harassed or followed"),
        "spiking_suspected": _l("Thinks they were spiked"),
        "injured": _l("Injured"),
        "upset": _l("Upset"),
        "no_way_home": _l("No way home"),
        "phone_dead": _l("Phone dead or lost"),
        "other": _l("Something else"),
    },
    Support: {
        "water": _l("Water"),
        "phone_charge": _l("Phone charged"),
        "called_friend": _l("Called a friend or family"),
        "taxi": _l("Taxi booked"),
        "first_aid": _l("First aid"),
        "ambulance": _l("Ambulance called"),
        "police": _l("Police called"),
        "listened": _l("Somewhere quiet and someone to talk to"),
    },
    HandedTo: {
        "nobody": _l("Nobody: left on their own"),
        "friend": _l("A friend or family member"),
        "taxi": _l("A taxi"),
        "street_pastors": _l("Street Pastors"),
        "welfare": _l("A welfare team"),
        "ambulance": _l("Ambulance"),
        "police": _l("Police"),
    },
    Gender: {
        "woman": _l("Woman"),
        "man": _l("Man"),
        "other": _l("In another way"),
        "not_given": _l("Not given"),
    },
    SourceEvaluation: {
        "1": _l("1: Reliable"),
        "2": _l("2: Untested"),
        "3": _l("3: Not reliable"),
    },
    IntelligenceAssessment: {
        "A": _l("A: Known directly to the source"),
        "B": _l("B: Known indirectly to the source but corroborated"),
        "C": _l("C: Known indirectly to the source"),
        "D": _l("D: Not known"),
        "E": _l("E: Suspected to be false"),
    },
    HandlingCode: {
        "P": _l("P: Lawful sharing permitted"),
        "C": _l("C: Lawful sharing permitted with conditions"),
    },
    NoteSharing: {
        "police": _l("Police only"),
        "partnership": _l("Everyone on the frontline in the partnership"),
    },
    ViewReason: {
        "checking_tonight": _l("Checking a person seen tonight"),
        "shift_briefing": _l("Briefing before a shift"),
        "note_review": _l("Reviewing a note due for review"),
        "meeting": _l("Partnership meeting preparation"),
        "other": _l("Other"),
    },
    Necessity: {
        "harassment_alarm_distress": _l(
            "To remove or reduce the likelihood of members of the public in the locality being"
            " harassed, alarmed or distressed"
        ),
        "crime_disorder": _l(
            "To remove or reduce the likelihood of crime or disorder in the locality"
        ),
    },
    Exemption: {
        "under_10": _l("The person appears to be under 10"),
        "home": _l("It would stop them reaching the place where they live"),
        "work": _l("It would stop them reaching their place of work"),
        "school": _l("It would stop them reaching school or college"),
        "medical": _l("It would stop them getting medical treatment"),
        "court": _l("It would stop them attending a court or tribunal"),
        "picket_procession": _l(
            "They are picketing lawfully or taking part in a lawful public procession"
        ),
    },
    Under16Action: {
        "taken_home": _l("Taken home"),
        "place_of_safety": _l("Taken to a place of safety"),
        "not_taken": _l("Neither"),
    },
    BreachOutcome: {
        "arrested": _l("Arrested"),
        "reported": _l("Reported for the offence"),
        "warned": _l("Warned"),
    },
    VenueBreachAction: {
        "refused_entry": _l("Refused entry"),
        "asked_to_leave": _l("Asked to leave"),
        "police_called": _l("Police called"),
    },
    AppealOutcome: {
        "upheld": _l("Upheld: the notice stands"),
        "varied": _l("Varied"),
        "overturned": _l("Overturned: the notice is lifted"),
    },
    DocumentLanguage: {
        "en": _l("English"),
        "cy": _l("Welsh"),
        "cy_en": _l("Welsh and English (Welsh first)"),
    },
    ReporterKind: {
        "me": _l("It happened to me"),
        "someone_else": _l("It happened to someone else and I am reporting it for them"),
        "witness": _l("I saw it happen"),
    },
    TimeOfNight: {
        "early_evening": _l("Early evening, 6pm to 9pm"),
        "late_evening": _l("Late evening, 9pm to midnight"),
        "after_midnight": _l("After midnight, midnight to 3am"),
        "small_hours": _l("Early morning, 3am to 6am"),
        "daytime": _l("In the daytime, 6am to 6pm"),
        "not_sure": _l("I am not sure"),
    },
    TriageStatus: {
        "new": _l("New"),
        "reviewed": _l("Reviewed"),
        "urgent": _l("Urgent"),
        "not_for_action": _l("Not for action"),
    },
    # Each language is named in itself, so a reader of either can find theirs.
    Locale: {"en": "English", "cy": "Cymraeg"},
}
