"""Words for what an inbound text may be about besides the texts (docs/compliance.md
section 2): people and other phones, things of the delivery, the post, devices, the
parcel's journey, a warning to the driver, a report of spam. A stop word beside one of
them may be about it, not a revocation; ``engine.addressees``, ``engine.clauses`` and
``engine.requests_to_stop`` read them."""

from __future__ import annotations

from typing import Final

# A keyword beside a warning to the driver is the warning ("Stop, the dog bites", "STOP!
# Beware of dog", "Alto, cuidado con el perro"), unless the text names the texts.
WARNINGS: Final = frozenset({"DOG", "DOGS", "PUPPY", "PITBULL", "BITE", "BITES", "BITING",
                             "BEWARE", "CAREFUL", "DANGER", "DANGEROUS", "AGGRESSIVE",
                             "VICIOUS", "ATTACK", "ATTACKS", "BEES", "WASPS", "SNAKE",
                             "SLIPPERY", "ICY", "PERRO", "PERROS", "MUERDE", "CUIDADO"})


# Who or what else a text may be about, which the words between a determiner and a word for
# the texts must not be ("stop the driver text me instead").
PEOPLE: Final = frozenset(
    {"WIFE", "HUSBAND", "SON", "DAUGHTER", "MOM", "DAD", "MOTHER", "FATHER", "BROTHER",
     "SISTER", "KID", "KIDS", "CHILD", "GIRLFRIEND", "BOYFRIEND", "PARTNER", "FIANCE",
     "FIANCEE", "SPOUSE", "HUBBY", "WIFEY", "ROOMMATE", "NEIGHBOR", "NEIGHBORS", "NEIGHBOUR",
     "NEIGHBOURS", "GRANDMA", "GRANDPA", "GRANDMOTHER", "GRANDFATHER", "AUNT", "UNCLE",
     "BOSS", "FRIEND", "TENANT", "LANDLORD", "DRIVER", "MAILMAN", "CARRIER", "SELLER",
     "SENDER", "RECIPIENT", "OFFICE", "FAMILY", "DOG", "CAT", "BABY", "PARENTS", "HIM", "HER",
     "HE", "SHE"})
# Things of the delivery a "take me off", "remove me" or "revoke" may be about: "take me off
# the hold list", "remove me as the recipient", "revoke the signature waiver".
DELIVERY_THINGS: Final = frozenset(
    {"HOLD", "WAITLIST", "DELIVERY", "DELIVERIES", "SCHEDULE", "ROUTE", "ADDRESS",
     "SIGNATURE", "RECIPIENT", "PACKAGE", "PARCEL", "ORDER", "SHIPMENT", "REDELIVERY",
     "PICKUP", "VACATION", "AUTHORIZATION", "AUTHORISATION", "WAIVER", "REQUEST", "ACCESS",
     "LEASE", "MAILBOX", "HOUSEHOLD", "ACCOUNT", "APARTMENT", "UNIT", "NEWSLETTER",
     "NEWSLETTERS", "CATALOG", "CATALOGS", "CATALOGUE", "MAGAZINE", "MAGAZINES",
     "FORWARDING", "CLAIM", "REFUND", "RETURN", "LABEL"})
# What JUNK is when it is the post, not the texts: "junk mail", "junk flyers".
MAIL_THINGS: Final = frozenset({"MAIL", "FLYERS", "FLYER", "FLIERS", "MAILERS", "MAILER",
                                "ADS", "CATALOGS", "COUPONS", "PAPERS", "LETTERS", "POST"})
# A "turn it off" beside one of these is about it ("the truck's alarm is going off, turn it
# off"), unless the text names the texts.
DEVICES: Final = frozenset({"ALARM", "ALARMS", "ENGINE", "LIGHTS", "HEADLIGHTS", "HORN",
                            "MUSIC", "RADIO", "SIREN", "BEEPING", "TRUCK", "CAR", "VAN",
                            "SPRINKLER", "SPRINKLERS", "LIGHT", "HAZARDS"})
# A "make it stop" beside one of these is about the parcel's journey ("this keeps bouncing
# between hubs, make it stop lol").
JOURNEY: Final = frozenset({"BOUNCING", "BOUNCED", "HUB", "HUBS", "LOOP", "LOOPING", "CIRCLES",
                            "FACILITY", "FACILITIES", "WAREHOUSE", "REROUTED", "TRANSIT",
                            "SORTING", "FORTH", "RETURNED", "RETURNING"})
# A whole text of only these, one of them blocking or spam, reports the texts as spam or
# blocks them: "spam", "this is spam", "report spam", "reported as junk", "I'm blocking you".
SPAM_REPORT: Final = frozenset({"SPAM", "JUNK", "BLOCK", "BLOCKED", "BLOCKING", "REPORTED",
                                "REPORTING", "REPORT", "FLAGGED", "MARKED"})
SPAM_REPORT_ASIDE: Final = frozenset({"THIS", "IS", "ITS", "THAT", "THATS", "AS", "YOU", "U",
                                      "IM", "I", "AM", "NUMBER", "THE", "GOING", "TO", "WILL",
                                      "ILL", "BE", "HAS", "BEEN", "YOUR", "TEXT", "TEXTS", "IT",
                                      "ME", "A", "ALL", "SO", "GONNA", "AND"})
