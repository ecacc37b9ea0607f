"""The words inbound texts are read with: revocation keywords and their Spanish forms,
courtesy words and fillers, words for the texts, negations, fixed phrases, and the
words that make a stop a question, a report or someone else's (``engine.keywords``
reads texts with them; docs/compliance.md section 2 says how)."""

from __future__ import annotations

from typing import Final

OPT_OUT: Final = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "UNSUB", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT",
     "STP", "BASTA", "DESUSCRIBIRME", "DESUSCRIBIR",
     # Spanish, as US short-code programs honour them (accents are dropped: NO MAS)
     "PARAR", "PARE", "ALTO", "CANCELAR", "DETENER", "BAJA", "NOMAS", "CANCELA", "CANCELEN",
     "PAREN", "DETENGAN",
     "CEASE",
     # Canadian French, as CWTA short-code guidelines require (ARRET beside STOP; accents
     # are dropped: arrêt, arrêter, arrêtez, désabonner, désinscrire)
     "ARRET", "ARRETER", "ARRETEZ", "DESABONNER", "DESABONNEZ", "DESINSCRIRE", "DESINSCRIVEZ",
     # a tracking service's own undo, and DISCONTINUE (read like CANCEL when it closes)
     "UNFOLLOW", "UNTRACK", "DISCONTINUE"}
)


# Words that revoke as the whole text, courtesy aside, and nowhere else: the French and
# Spanish imperatives ("Arrête", "annulez", "Cessez", "FIN", "salir", "Anular", "Para
# porfavor"), which in a sentence may be a report ("le colis est arrêté", "para mañana").
WHOLE_TEXT_STOPS: Final = frozenset(
    {"ARRETE", "ARRETES", "ARRETEZ", "ARRETER", "ANNULER", "ANNULEZ", "ANNULE", "CESSEZ",
     "CESSER", "CESSE", "FIN", "DESABONNEMENT", "DESINSCRIPTION", "SALIR", "ANULAR", "ANULA",
     "ANULEN", "PARA", "MUTE", "STFU"})


# The English keywords that mean only "stop the texts", when they open a text followed by
# a new sentence (``OPENING_STARTS``: "STOP we moved", "STOP fake") or close one after a
# word that ends a sentence or names the texts (``CLOSING_AFTER``: "yeah stop", "thanks but
# stop", "make them stop"). CANCEL, END and QUIT (the order, the day, "I quit") and the
# Spanish ones keep the narrower rules.
STRONG_STOPS: Final = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "UNSUB", "QUIT", "REVOKE",
                                 "OPTOUT", "STP", "CEASE"})
CLOSING_STOPS: Final = STRONG_STOPS - {"QUIT", "CEASE"}
OPENING_STARTS: Final = frozenset(
    {"WE", "HE", "SHE", "THEY", "IDK", "NEW", "FAKE", "SORRY", "DIDNT", "WHATS", "MEANS",
     "IS", "REPORTED", "REPORTING", "BLOCKED", "BLOCKING", "WRONG", "DELETE", "REMOVE",
     "UNSUBSCRIBE", "SPAMMER", "SCAMMER", "SPAMMERS", "SCAMMERS", "WHOEVER", "LOL", "PLZ",
     "DEAD", "DECEASED", "MOVED", "NOBODY", "NO1", "ALREADY", "HOW", "HOWEVER", "ANYWAY"})
CLOSING_AFTER: Final = frozenset(
    {"YEAH", "YES", "YEP", "YUP", "ALRIGHT", "FINE", "SURE", "NAH", "NOPE", "BUT", "THANKS",
     "THX", "AWAY", "THEM", "ALONE", "HI", "HEY", "HELLO", "THESE", "PLEASEE", "PLEEZ",
     "REALLY", "OMG", "ENOUGH", "SPAM", "SCAM", "NUMBER", "ME", "GOD", "LORD", "GEEZ"})
# The Spanish stop words, before which "no" is a negation ("no cancelar"), where before an
# English one with only courtesy between it is "No, stop" ("no thanks stop").
SPANISH_STOPS: Final = frozenset(
    {"PARAR", "PARE", "ALTO", "CANCELAR", "DETENER", "BAJA", "NOMAS", "BASTA", "DESUSCRIBIR",
     "DESUSCRIBIRME", "DEJA", "DEJEN", "DEJE", "PARA", "PAREN", "CANCELA", "CANCELEN",
     "DETENGAN", "ARRET", "ARRETER", "ARRETEZ", "DESABONNER", "DESABONNEZ", "DESINSCRIRE",
     "DESINSCRIVEZ"})
# What "keep" takes when a clause asks the texts to go on: "cancel that, keep texting".
KEEP_GOING: Final = frozenset({"TEXTING", "SENDING", "GOING", "THEM", "IT", "COMING", "TEXTS",
                               "UPDATES", "MESSAGING", "ME", "UPDATING"})


# A keyword opening a text is a revocation when a new sentence follows it without
# punctuation ("STOP this is spam", "STOP I never signed up", "CANCEL who is this"), not
# when its object does ("stop sign at the corner", "stop leaving it outside", "cancel my
# package").
SENTENCE_STARTS: Final = frozenset(
    {"I", "IM", "IVE", "ID", "ILL", "WHO", "YOU", "YOURE", "UR", "WRONG", "NOT", "NEVER",
     "DONT", "NO", "SPAM", "SCAM", "ITS", "THATS", "LEAVE", "REMOVE", "UNSUBSCRIBE",
     "TEXTING", "MESSAGING", "HARASSING", "BOTHERING", "SPAMMING", "WHAT", "WHY", "HOW",
     "OK", "OKAY", "STOP", "ENOUGH", "SERIOUSLY"}
)


# Words that may precede a closing keyword: "I said stop", "please just stop", "make it stop".
BEFORE_CLOSING: Final = frozenset(
    {"SAID", "SAY", "SAYING", "TO", "PLEASE", "PLS", "PLZ", "JUST", "NOW", "OK", "OKAY", "SO",
     "ALREADY", "AGAIN", "SHOULD", "MUST", "IT", "YOU", "U", "YES", "NO", "SERIOUSLY", "CAN",
     "TIME", "SPAM", "SCAM", "PERSON"}
)


# Who "to stop" or "should stop" is about when it closes a revocation: the sender or the
# texts ("I told you to stop", "I want it to stop"), not someone else ("tell the driver to
# stop", "I want the delays to stop").
SUBJECTS: Final = frozenset({"YOU", "U", "IT", "THIS", "THEM", "THESE", "TEXTS", "MESSAGES"})
# Words between a negation and the stop word it negates: "I don't want you to unsubscribe
# me", "no need to stop", "no quiero darme de baja".
NEGATION_CHAIN: Final = frozenset(
    {"WANT", "NEED", "WISH", "LIKE", "YOU", "U", "TO", "ME", "IT", "THEM", "ASKING", "TRYING",
     "FOR", "WAS", "AM", "I", "BE", "GOING", "MY", "THE", "A", "PLEASE", "QUIERO", "DARME",
     "DEN", "DES", "DE", "MUST", "SHOULD", "WOULD", "GONNA", "WANNA", "MEANT", "SAID",
     # "I didn't say stop", "I did not mean to say stop", "don't you dare stop"
     "SAY", "MEAN", "TELL", "TOLD", "ASK", "ASKED", "DARE", "EVER", "EVEN", "REALLY",
     "ALWAYS", "USUALLY", "SUDDENLY", "RANDOMLY", "FULLY", "ACTUALLY", "ALL", "JUST",
     "VEUX", "VEUT", "VOULONS"}
)


# Words that take back a revocation: "undo unsubscribe", "disregard my STOP message", "I
# accidentally said stop".
TAKEN_BACK: Final = frozenset(
    {"UNDO", "REVERSE", "DISREGARD", "IGNORE", "ACCIDENTALLY", "MISTAKE", "OOPS", "HATE",
     "NO", "NOT", "NEVER", "DONT", "DIDNT", "WONT", "CANT", "DOESNT", "WOULDNT", "SHOULDNT",
     "WASNT", "ISNT", "AINT", "WHY", "DID", "CANCEL", "WHO", "NON", "PAS"}
)


# CANCEL and END close a revocation only after these ("I said cancel"; not "I want to
# cancel", which may be the order).
BEFORE_CLOSING_CANCEL: Final = BEFORE_CLOSING - {"TO", "IT", "YOU", "SHOULD", "MUST", "CAN"}
# A closing keyword after one of these is a question, not a request ("when will it stop").
QUESTIONS: Final = frozenset(
    {"WHY", "WHEN", "WILL", "DID", "DOES", "DO", "HOW", "WHERE", "WHAT", "IS", "ARE", "HAS",
     "HAVE", "WOULD", "WAS", "WERE"}
)


# Objects a keyword may take and still be a keyword: "stop this", "cancel them", "END ALL".
OBJECTS: Final = frozenset(
    {"IT", "THEM", "THIS", "THAT", "THESE", "THOSE", "ALL", "EVERYTHING", "ALREADY", "AGAIN",
     "AND", "OTHERS", "OTHER", "EVERY", "ONE", "EM", "TRACKING", "TODO", "TODOS", "NUMBER",
     "OF"}
)


# Words that widen a revocation naming a parcel to every text: "CANCEL ALL <tn>".
EVERYTHING: Final = frozenset({"ALL", "EVERYTHING", "EVERY", "OTHERS", "TODO", "TODOS"})
OPT_IN: Final = frozenset({"START", "YES", "UNSTOP"})
# AYUDA: Spanish programs' HELP; AIDE: the French HELP CWTA guidelines require in Canada
HELP: Final = frozenset({"HELP", "INFO", "AYUDA", "AIDE"})
ETA_WORDS: Final = frozenset({"DELIVERY", "DATE", "UPDATE", "WHEN"})
TRACKING_MODES: Final = frozenset({"AA", "AF", "AP", "DND"}) | ETA_WORDS
VOCABULARY: Final = OPT_OUT | OPT_IN | HELP | TRACKING_MODES | {"QUIET", "AWAKE"}
ENGLISH_STOPS: Final = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "UNSUB", "CANCEL", "END",
                                  "QUIT", "REVOKE", "OPTOUT", "OPT", "STP"})


# Words that soften or stress a keyword without changing it ("stop please", "STOP NOW!!").
COURTESY: Final = frozenset(
    {"PLEASE", "PLS", "PLZ", "NOW", "THANKS", "THANK", "YOU", "THX", "TY", "IT", "ME",
     "OK", "OKAY", "JUST", "ASAP", "IMMEDIATELY", "SIR", "MAAM", "POR", "FAVOR",
     "GRACIAS", "ALREADY", "AGAIN", "HEY", "HI", "HELLO", "YO", "OMG", "LOL", "HAHA", "LMAO",
     "WTF", "UGH", "DUDE", "BYE", "GOODBYE", "DAMN", "USPS", "SMH", "XX", "X2", "TN",
     # stress, swearing and what people call the sender ("STOP FOREVER", "stop bro",
     # "STOP SPAMMER"): none changes what the keyword asks
     "RIGHT", "AWAY", "FOREVER", "PERMANENTLY", "COMPLETELY", "ENTIRELY", "DAMMIT",
     "DAMNIT", "FFS", "BRO", "BRUH", "MAN", "IDIOT", "IDIOTS", "MORON", "SPAMMER",
     "SPAMMERS", "SCAMMER", "SCAMMERS", "GEEZ", "JEEZ", "FUCK", "FUCKING", "FREAKING",
     "FRIGGING", "FRICKING", "FUCKIN", "FREAKIN", "GODDAMMIT", "GODDAMNIT", "GODDAMN",
     "ASSHOLE", "ASSHOLES", "BITCH", "STUPID", "BOT", "LADY", "GUYS", "KINDLY", "FINALLY",
     "NOPE", "NAH", "U", "SERIOUSLY", "SHIT", "BLOODY", "DAMNED",
     # "stop plzz", "stop k thx", "stop ya", French "STOP svp", "me désabonner", "moi"
     "PLZZ", "PLSS", "PLIS", "PLIZ", "PLEAS", "PLEASEE", "K", "KK", "YA", "SVP", "MERCI",
     "MOI",
     # Spanish and French courtesy ("STOP porfa", "stop x favor", "STOP ahora", "Stop merci
     # bonne journée"), exclamations ("jesus stop") and masked or softened swearing ("stop
     # f***ing texting me" is read with FUCKING, "stop effing texting me")
     "PORFA", "PORFAVOR", "PORFIS", "X", "AHORA", "BONNE", "JOURNEE", "SOIREE", "JESUS",
     "CHRIST", "GOSH", "JFC", "OMFG", "EFFING", "EFFIN", "FKING", "FKIN", "FCKING", "FCKIN",
     "FUKING", "FUKIN", "FRICKIN", "FRIGGIN", "FRICKEN", "FLIPPING", "FLIPPIN", "FRIKKIN",
     "FING", "BEAUCOUP", "FKN", "FCKN", "FUCKN"}
)


# Stress in more than one word, set aside like courtesy: "stop at once", "stop for good".
STRESS_PHRASES: Final = (("ONCE", "AND", "FOR", "ALL"), ("AT", "ONCE"), ("FOR", "GOOD"),
                         ("THIS", "MINUTE"), ("THIS", "INSTANT"), ("FOR", "REAL"),
                         ("FOR", "GODS", "SAKE"), ("FOR", "GOD", "SAKE"),
                         ("FOR", "THE", "LOVE", "OF", "GOD"))


# A stop verb, then only filler words, then a word for texts: "stop sending me these texts".
STOP_VERBS: Final = frozenset(
    {"STOP", "QUIT", "CEASE", "END", "CANCEL", "HALT", "DISCONTINUE", "UNSUBSCRIBE",
     "BLOCK", "REMOVE", "DELETE", "DISABLE", "TURN", "CANCELAR", "PARAR", "DETENER",
     "REFRAIN", "ENOUGH", "DONE", "STP", "DEJA", "DEJEN", "PARA", "PAREN", "PARE",
     "CANCELLING", "CANCELING", "TERMINATE", "DEACTIVATE", "UNENROLL", "KILL", "DEJE",
     "DETENGAN", "CANCELA", "CANCELEN", "SICK", "TIRED", "MUTE", "BASTA",
     # "shut off texts", "switch off notifications" (with OFF), "knock it off with the texts",
     # "cut out the texts", "pause notifications", Spanish and French verbs
     "SHUT", "SWITCH", "KNOCK", "CUT", "PAUSE", "ALTO", "DESACTIVAR", "DESACTIVEN",
     "DESACTIVA", "ARRETER", "ARRETEZ", "ARRET", "ARRETE",
     # French: "arrêtes de m'écrire", "Cessez les messages", "Annuler les notifications",
     # "fin des messages"
     "ARRETES", "CESSEZ", "CESSER", "CESSE", "ANNULER", "ANNULEZ", "ANNULE", "FIN"}
)


TEXT_WORDS: Final = frozenset(
    {"TEXT", "TEXTS", "TEXTING", "TEXTED", "TXT", "TXTS", "TXTING", "MESSAGE", "MESSAGES",
     "MESSAGING", "MSG", "MSGS", "SMS", "NOTIFICATION", "NOTIFICATIONS", "NOTIFS", "ALERT",
     "ALERTS", "UPDATES", "CONTACTING", "SENDING", "BOTHERING", "SPAMMING", "SPAM",
     "SUBSCRIPTION", "SUBSCRIPTIONS", "CALLING", "CONTACT", "MENSAJES", "MENSAJE",
     "TEXTOS", "SUSCRIPCION", "NOTIFICACIONES", "TEXTIN", "TXTIN", "TEXING", "MSGING",
     "MSGIN", "MESSAGIN", "TXTNG", "MSGNG", "REMINDERS", "ROBOTEXTS", "NOTIFYING", "UPDATE",
     "ALERTING", "UPDATING", "PINGING", "BUGGING", "PESTERING", "MESSEGING", "MESSEGES",
     "MESAGES", "MESSAGEING", "MASSAGING", "NOTIFCATIONS", "NOTIFACATIONS", "NOTIFICATONS",
     "TEXTNG", "ESCRIBAN", "ESCRIBAS", "ESCRIBIR",
     "PINGS", "COMMUNICATION", "COMMUNICATIONS", "ESCRIBIRME", "ESCRIBIRNOS", "ALERTAS",
     "CONTACTEN", "CONTACTES", "CONTACTAR", "CONTACTARME", "ALERTES", "TEXTO",
     # Spanglish and French: "deja de textearme", "no me textees más", "arrête de m'écrire"
     "TEXTEAR", "TEXTEARME", "TEXTEARNOS", "TEXTEES", "TEXTEEN", "TEXTEANDO", "TEXTEARLE",
     "ECRIRE", "MECRIRE", "MECRIVEZ", "TEXTER", "METEXTER", "NOTIF", "TXTN", "TEXTN",
     "ABONNEMENT", "LABONNEMENT"}
)


# What the texts are called in anger, after a stop verb or a negation: "stop this crap",
# "stop the bs", "no more garbage" (not alone: "no crap?" is not a request).
JUNK_WORDS: Final = frozenset({"CRAP", "BS", "NONSENSE", "GARBAGE", "JUNK", "RUBBISH",
                               "HARASSMENT", "BULLSHIT", "SHIT"})


# Words for texts that are verbs: only when what they take is the texts ("stop sending
# me these"), not something else ("stop sending me packages", "stop sending it back").
VERBAL_TEXT_WORDS: Final = frozenset(
    {"SENDING", "CONTACTING", "CALLING", "BOTHERING", "SPAMMING", "MANDARME", "ENVIARME",
     "MANDAR", "ENVIAR", "MANDEN", "ENVIEN", "MANDES", "ENVIES", "BUGGING", "PESTERING",
     # Spanish "bother (me)" and French "send (me)": "dejen de molestar(me)", "arrêtez de
     # m'envoyer des messages" (apostrophes dropped: MENVOYER)
     "MOLESTAR", "MOLESTARME", "MOLESTEN", "MOLESTES", "MENVOYER", "ENVOYER", "MENVOYEZ",
     "ENVOYEZ"}
)


FILLERS: Final = frozenset(
    {"ME", "MY", "ALL", "THE", "THESE", "THOSE", "THIS", "YOUR", "ANY", "MORE", "FURTHER",
     "FUTURE", "OF", "FROM", "TO", "US", "IT", "PLEASE", "PLS", "OFF", "OUT", "SENDING",
     "USPS", "TRACKING", "DELIVERY", "PACKAGE", "PARCEL", "TEXT", "SMS", "WITH", "DE", "LOS",
     "LAS", "LA", "EL", "MAS", "MI", "MIS", "UR", "YA", "STATUS", "SHIPPING", "AUTOMATED",
     "UNWANTED", "STUFF", "ANYTHING", "ESTOS", "ESTAS", "SUS", "FUCKING", "FREAKING",
     "FRIGGING", "DAMN", "STUPID", "CONSTANT", "ANNOYING", "NADA",
     # "stop w the texts", "don't send me anything else", "alto a los mensajes", French
     "W", "ELSE", "A", "DES", "PLUS", "LES", "CES", "AUCUN", "AUCUNE",
     "EFFING", "EFFIN", "FKING", "FKIN", "FCKING", "FCKIN", "FUKING", "FUKIN", "FRICKIN",
     "FRIGGIN", "FRICKEN", "FLIPPING", "FLIPPIN", "FRIKKIN", "FUCKIN", "FREAKIN", "FRICKING",
     "FING", "FKN", "FCKN", "FUCKN"}
)


# After a negation: "I do not want to receive any more text messages".
WISH_WORDS: Final = frozenset({"WANT", "NEED", "WISH", "LIKE", "CARE", "PREFER", "RATHER",
                                "QUIERO", "WANNA", "DESEO", "INTERESA", "INTERESAN"})


NEG_FILLERS: Final = FILLERS | WISH_WORDS | {
    "SEND", "EVER", "AGAIN", "ANYMORE", "I", "YOU", "U", "DARE", "BE", "ASKED", "ASK", "SIGN", "IN",
    "SIGNED", "UP", "FOR", "AGREE", "AGREED", "SUBSCRIBE", "SUBSCRIBED", "CONSENT",
    "CONSENTED", "QUE", "AUTHORIZE", "AUTORIZO", "RECEVOIR"}
# "I don't want to hear from you", "je ne veux plus recevoir de textos"
RECEIVE_WORDS: Final = frozenset({"RECEIVE", "GET", "GETTING", "RECEIVING", "RECIBIR",
                                  "RECIBIENDO", "HEAR", "RECEVOIR"})
STOP_FILLERS: Final = FILLERS | RECEIVE_WORDS  # "stop receiving texts", "stop getting these"
NEGATIONS: Final = frozenset({"DONT", "NEVER", "DOESNT", "DNT"})
NEGATED_OBJECTS: Final = frozenset({"THESE", "THEM", "THOSE"})  # "I don't want these"
NEGATORS_OF_STOP: Final = frozenset({"DONT", "NOT", "NEVER", "DIDNT", "WONT", "CANT", "WHY",
                                     "DID", "DOESNT", "WOULDNT", "SHOULDNT", "HATE", "NON"})
# Words between a negation and the phrase it negates: "don't take my number off the list".
PHRASE_LEAD: Final = frozenset({"TAKE", "GET", "PUT", "REMOVE", "DELETE", "DROP", "ME", "MY",
                                "NUMBER", "US", "IT", "THIS", "PHONE"})


# Words with no other meaning in a text to a tracking short code.
UNAMBIGUOUS: Final = frozenset({"UNSUBSCRIBE", "UNSUB", "OPTOUT", "STOPALL", "REVOKE",
                                "REVOKING", "REVOKED", "UNSUBSCRIBING", "REVOCO", "UNENROLL",
                                "DEREGISTER", "UNREGISTER", "UNFOLLOW", "UNTRACK",
                                # French: "Désabonnement", "je veux me désabonner"
                                "DESABONNER", "DESABONNEMENT", "DESINSCRIPTION", "DESINSCRIRE",
                                "DESABONNEZ", "DESINSCRIVEZ"})
PHRASES: Final = (
    ("LEAVE", "ME", "ALONE"), ("TAKE", "ME", "OFF"), ("REMOVE", "ME"),
    ("REMOVE", "MY", "NUMBER"), ("DELETE", "MY", "NUMBER"), ("OPT", "ME", "OUT"),
    ("UNSUBSCRIBE", "ME"), ("STOP", "ALL"), ("OPT", "OUT"),
    ("UN", "SUBSCRIBE"), ("DELETE", "ME"), ("REMOVE", "FROM"), ("TAKE", "MY", "NUMBER"),
    ("OFF", "YOUR", "LIST"), ("OFF", "THE", "LIST"), ("OFF", "THIS", "LIST"),
    ("OFF", "YOUR", "LISTS"), ("NO", "LONGER", "INTERESTED"), ("WITHDRAW", "MY", "CONSENT"),
    ("WITHDRAW", "CONSENT"), ("DO", "NOT", "CONSENT"), ("DONT", "CONSENT"),
    ("DELETE", "THIS", "NUMBER"), ("NEVER", "SIGNED", "UP"), ("DIDNT", "SIGN", "UP"),
    ("DARME", "DE", "BAJA"), ("DAR", "DE", "BAJA"), ("DEN", "DE", "BAJA"), ("DES", "DE", "BAJA"),
    ("DEME", "DE", "BAJA"), ("OPTING", "OUT"), ("REMOVE", "THIS", "NUMBER"),
    ("NO", "LONGER", "CONSENT"), ("LONGER", "CONSENT"), ("CEASE", "AND", "DESIST"),
    ("DESIST",), ("NEVER", "WANT", "TO", "HEAR"), ("NUMERO", "EQUIVOCADO"),
    ("DE", "LA", "LISTA"), ("DEJENME", "EN", "PAZ"), ("RETIRO", "MI", "CONSENTIMIENTO"),
    ("DID", "NOT", "CONSENT"), ("NEVER", "CONSENTED"), ("DIDNT", "CONSENT"),
    ("DIDNT", "SUBSCRIBE"), ("NEVER", "SUBSCRIBED"), ("DID", "NOT", "SUBSCRIBE"),
    ("DID", "NOT", "SIGN", "UP"), ("BACK", "MY", "CONSENT"), ("OPT", "MY", "NUMBER"),
    ("OUT", "OF", "THE", "LIST"), ("OUT", "OF", "YOUR", "LIST"),
    ("OUT", "OF", "THIS", "LIST"), ("OFF", "OF", "THIS", "LIST"), ("OFF", "OF", "THE", "LIST"),
    ("OFF", "OF", "YOUR", "LIST"), ("FROM", "THIS", "LIST"), ("FROM", "THE", "LIST"),
    ("FROM", "YOUR", "LIST"), ("REMOVE", "MY", "PHONE"), ("DELETE", "MY", "PHONE"),
    ("BLOCK", "THIS", "NUMBER"), ("TURN", "THEM", "OFF"),
    ("SHUT", "THEM", "OFF"), ("TURN", "THESE", "OFF"), ("SHUT", "THESE", "OFF"),
    ("LOSE", "MY", "NUMBER"), ("FORGET", "MY", "NUMBER"), ("ERASE", "MY", "NUMBER"),
    ("WANT", "TO", "BE", "REMOVED"), ("ELIMINAR", "MI", "NUMERO"),
    ("ELIMINEN", "MI", "NUMERO"), ("BORREN", "MI", "NUMERO"), ("BORRAR", "MI", "NUMERO"),
    ("EQUIVOCARON", "DE", "NUMERO"),
    # consent and permission in other words ("consent withdrawn", "you don't have my
    # consent", "I never gave you permission to text me"; not "... to leave it outside")
    ("CONSENT", "WITHDRAWN"), ("CONSENT", "REVOKED"), ("NOT", "GIVE", "CONSENT"),
    ("DONT", "GIVE", "CONSENT"), ("NEVER", "GAVE", "CONSENT"), ("NEVER", "GAVE", "YOU", "CONSENT"),
    ("DONT", "HAVE", "MY", "CONSENT"), ("NOT", "HAVE", "MY", "CONSENT"),
    ("NEVER", "GAVE", "PERMISSION"), ("NEVER", "GAVE", "YOU", "PERMISSION"),
    ("NOT", "GIVE", "PERMISSION"), ("DIDNT", "GIVE", "PERMISSION"), ("DONT", "GIVE", "PERMISSION"),
    ("NOT", "GIVE", "YOU", "PERMISSION"), ("DIDNT", "GIVE", "YOU", "PERMISSION"),
    ("DID", "NOT", "GIVE", "PERMISSION"), ("DID", "NOT", "GIVE", "CONSENT"),
    ("DONT", "HAVE", "MY", "PERMISSION"), ("NOT", "HAVE", "MY", "PERMISSION"),
    ("WITHDRAW", "PERMISSION"), ("WITHDRAW", "MY", "PERMISSION"),
    # the do-not-call list, opted out, leave me the hell alone
    ("DO", "NOT", "CALL", "LIST"), ("DONT", "CALL", "LIST"), ("DNC", "LIST"),
    ("DO", "NOT", "CALL", "REGISTRY"), ("DO", "NOT", "TEXT", "LIST"),
    ("BE", "OPTED", "OUT"), ("OPT", "THIS", "NUMBER", "OUT"), ("OPT", "THIS", "PHONE", "OUT"),
    ("OPT", "US", "OUT"), ("LEAVE", "ME", "THE", "HELL", "ALONE"),
    ("LEAVE", "ME", "THE", "FUCK", "ALONE"), ("LEAVE", "US", "ALONE"),
    # Spanish: "denme de baja", "quítenme de su lista", "bórrenme"
    ("DENME", "DE", "BAJA"), ("DAME", "DE", "BAJA"), ("DE", "SU", "LISTA"),
    ("DE", "SUS", "LISTAS"), ("BORRENME",), ("ELIMINENME",), ("SAQUENME", "DE"),
    ("QUITENME", "DE"),
    # Spanish and French: "Déjame en paz", "Retirez-moi de la liste", "Enlevez mon numéro",
    # "Laissez-moi tranquille"
    ("DEJAME", "EN", "PAZ"), ("DEJANOS", "EN", "PAZ"), ("DEJENOS", "EN", "PAZ"),
    ("DE", "LA", "LISTE"), ("DE", "VOTRE", "LISTE"), ("DE", "VOS", "LISTES"), ("RETIREZ", "MOI"),
    ("ENLEVEZ", "MOI"), ("RETIREZ", "MON", "NUMERO"), ("ENLEVEZ", "MON", "NUMERO"),
    ("SUPPRIMEZ", "MON", "NUMERO"), ("EFFACEZ", "MON", "NUMERO"), ("SUPPRIMEZ", "MOI"),
    ("LAISSEZ", "MOI", "TRANQUILLE"), ("LAISSE", "MOI", "TRANQUILLE"),
    ("LAISSEZ", "MOI", "EN", "PAIX"), ("FOUTEZ", "MOI", "LA", "PAIX"),
    # "consider me opted out", "unlist me", "lose this number", "stop using my number", "text
    # me no more", "don't use my number"
    ("ME", "OPTED", "OUT"), ("CONSIDER", "ME", "UNSUBSCRIBED"), ("CONSIDER", "ME", "OUT"),
    ("UNLIST", "ME"), ("DELIST", "ME"), ("UNLIST", "MY", "NUMBER"), ("UNLIST", "THIS", "NUMBER"),
    ("LOSE", "THIS", "NUMBER"), ("LOSE", "THE", "NUMBER"), ("FORGET", "THIS", "NUMBER"),
    ("ERASE", "THIS", "NUMBER"), ("DELETE", "THE", "NUMBER"),
    *((*verb, det, thing) for verb in (("USING",), ("DONT", "USE"), ("NOT", "USE"),
                                       ("NEVER", "USE"))
      for det in ("MY", "THIS") for thing in ("NUMBER", "PHONE", "CELL")),
    ("TEXT", "ME", "NO", "MORE"), ("TXT", "ME", "NO", "MORE"), ("MESSAGE", "ME", "NO", "MORE"),
    ("CONTACT", "ME", "NO", "MORE"), ("TEXT", "NO", "MORE"), ("MSG", "ME", "NO", "MORE"),
)


# A phrase followed by one of these means something else: "wrong number of boxes", "take
# me off hold".
PHRASE_NOT_BEFORE: Final[dict[tuple[str, ...], frozenset[str]]] = {
    ("WRONG", "NUMBER"): frozenset({"OF", "ON", "FOR", "IN", "WAS", "PRINTED", "LISTED",
                                    "WRITTEN", "TO CALL", "TO DIAL", "TO USE", "TO REACH"}),
    ("TAKE", "ME", "OFF"): frozenset({"HOLD", "WAITLIST", "THE WAITLIST"}),
    ("STOP", "ALL"): frozenset({"DELIVERIES", "DELIVERY", "THE WAY", "THE TIME", "DAY",
                                "MAIL", "PACKAGES", "TRAFFIC", "THE", "OVER"}),
    ("OPT", "OUT"): frozenset({"OF"}),
    ("NEVER", "SIGNED", "UP"): frozenset({"FOR"}),
    ("DIDNT", "SIGN", "UP"): frozenset({"FOR"}),
    ("NO", "LONGER", "INTERESTED"): frozenset({"IN"}),
    ("REMOVE", "FROM"): frozenset({"HOLD", "THE HOLD"}),
    ("TAKE", "MY", "NUMBER"): frozenset({"DOWN", "AND"}),
    ("WANT", "OUT"): frozenset({"OF"}),
    ("NOT", "THE", "RIGHT", "NUMBER"): frozenset({"OF", "ON", "FOR", "IN"}),
    ("NOT", "THE", "RIGHT", "PERSON"): frozenset({"TO"}),
    ("NOT", "THE", "INTENDED", "RECIPIENT"): frozenset({"OF", "FOR"}),
    ("WRONG", "NUM"): frozenset({"OF", "ON", "FOR", "IN", "WAS", "PRINTED", "LISTED"}),
    ("ISNT", "MY", "NUMBER"): frozenset({"OF", "ON", "FOR", "IN"}),
    ("ISNT", "MY", "PHONE"): frozenset({"OF", "ON", "FOR", "IN", "THAT", "WHICH"}),
    ("NOT", "MY", "PHONE"): frozenset({"OF", "ON", "FOR", "IN", "THAT", "WHICH"}),
    ("NO", "ES", "MI", "NUMERO"): frozenset({"DE", "EN"}),
    ("BE", "OPTED", "OUT"): frozenset({"OF"}),
    ("OP", "OUT"): frozenset({"OF"}),
    # "remove number 3 from my order": an item, not the phone
    **{phrase: frozenset({"OF", "ON", "ONE", "TWO", "THREE", "FOUR", "FIVE",
                          *map(str, range(100))})
       for phrase in (("REMOVE", "NUMBER"), ("DELETE", "NUMBER"))},
    **{phrase: frozenset({"FOR", "TO", "SLIP"}) for phrase in (
        ("NOT", "GIVE", "CONSENT"), ("DONT", "GIVE", "CONSENT"), ("NEVER", "GAVE", "CONSENT"),
        ("NEVER", "GAVE", "YOU", "CONSENT"), ("DONT", "HAVE", "MY", "CONSENT"),
        ("NOT", "HAVE", "MY", "CONSENT"), ("NEVER", "GAVE", "PERMISSION"),
        ("NEVER", "GAVE", "YOU", "PERMISSION"), ("NOT", "GIVE", "PERMISSION"),
        ("DIDNT", "GIVE", "PERMISSION"), ("DONT", "GIVE", "PERMISSION"),
        ("NOT", "GIVE", "YOU", "PERMISSION"), ("DIDNT", "GIVE", "YOU", "PERMISSION"),
        ("DONT", "HAVE", "MY", "PERMISSION"), ("NOT", "HAVE", "MY", "PERMISSION"),
        ("NO", "PERMISSION"), ("WITHDRAW", "PERMISSION"), ("WITHDRAW", "MY", "PERMISSION"),
        ("DID", "NOT", "GIVE", "PERMISSION"), ("DID", "NOT", "GIVE", "CONSENT"))},
}
# ...unless what follows is the texts: "opt out of these texts", "never signed up for texts",
# "no longer interested in updates".
PHRASE_UNLESS_TEXTS: Final = frozenset({("OPT", "OUT"), ("NEVER", "SIGNED", "UP"), ("WANT", "OUT"),
                                        ("DIDNT", "SIGN", "UP"), ("NO", "LONGER", "INTERESTED"),
                                        ("NOT", "THE", "RIGHT", "PERSON"),
                                        ("NOT", "THE", "INTENDED", "RECIPIENT"),
                                        ("BE", "OPTED", "OUT"), ("OP", "OUT")}) | frozenset(
    phrase for phrase in PHRASE_NOT_BEFORE if "CONSENT" in phrase or "PERMISSION" in phrase)


# A stop after one of these is a condition, not a request ("if you stop texting me I'll be
# mad", "In case the texts stop").
CONDITIONS: Final = frozenset({"IF", "CASE", "UNLESS", "WHETHER"})


# Phrases that count only opening a clause (courtesy aside) or after "you have the", "this
# is", "I'm": "wrong person", "not my number", "no consent"; not "delivered to the wrong
# person", "That is not my number on the label".
OPENING_PHRASES: Final = (
    ("WRONG", "PERSON"), ("WRONG", "PHONE"), ("NOT", "MY", "NUMBER"), ("GO", "AWAY"),
    ("WRONG", "NUMBER"), ("REMOVED", "FROM"), ("WANT", "OUT"), ("COUNT", "ME", "OUT"),
    ("LET", "ME", "OUT"),
    ("MUTE", "THIS"), ("MUTE", "THESE"), ("MUTE", "THEM"), ("HITTING", "ME", "UP"),
    ("TURN", "IT", "OFF"), ("SHUT", "IT", "OFF"), ("STOP", "TRACKING"),
    ("BLOWING", "UP", "MY", "PHONE"), ("STOP", "SERVICE"), ("CANCEL", "THIS", "SERVICE"),
    ("STOP", "THE", "TRACKING"), ("NOT", "THE", "RIGHT", "PERSON"),
    ("NOT", "THE", "RIGHT", "NUMBER"), ("NOT", "THE", "INTENDED", "RECIPIENT"),
    # "wrong #" (read as WRONG NUMBER), "wrong num", "this isn't my number anymore", "este no
    # es mi número", "no permission to text me"
    ("WRONG", "NUM"), ("WRONG", "NUMBR"), ("ISNT", "MY", "NUMBER"), ("NO", "ES", "MI", "NUMERO"),
    ("ISNT", "MY", "PHONE"), ("NOT", "MY", "PHONE"),
    ("NO", "PERMISSION"), ("NOT", "WHO", "YOU", "THINK"),
    # "I'm blocking you", "stop hitting my phone", "stop blowing me up", "stop following this
    # package", "get me off (this thing)", "delete my info", "op out"
    ("BLOCKING", "YOU"), ("BLOCKING", "U"), ("BLOCKING", "THIS", "NUMBER"),
    ("BLOCKING", "YOUR", "NUMBER"), ("BLOCK", "YOU"), ("HITTING", "MY", "PHONE"),
    ("HITTING", "UP", "MY", "PHONE"), ("BLOWING", "ME", "UP"), ("BLOWING", "UP", "MY"),
    ("STOP", "FOLLOWING"), ("QUIT", "FOLLOWING"), ("GET", "ME", "OFF"),
    ("DELETE", "MY", "INFO"), ("DELETE", "MY", "INFORMATION"), ("DELETE", "MY", "DATA"),
    ("REMOVE", "MY", "INFO"), ("REMOVE", "MY", "INFORMATION"), ("OP", "OUT"),
    # "remove number", "Mauvais numéro", "stop hitting my line"
    ("REMOVE", "NUMBER"), ("DELETE", "NUMBER"), ("MAUVAIS", "NUMERO"),
    ("HITTING", "MY", "LINE"), ("HITTING", "UP", "MY", "LINE"), ("BLOWING", "UP", "MY", "LINE"),
    ("HITTING", "MY", "CELL"), ("HITTING", "MY", "NUMBER"), ("HITTING", "ME"),
)
OPENING_PHRASE_LEADS: Final = frozenset({"YOU", "HAVE", "THE", "THIS", "IS", "ITS", "IM", "I",
                                         "AM", "STOP", "QUIT", "PLEASE", "U", "GOT", "A",
                                         "WHATS", "YOUVE", "YOURE", "REACHED", "TEXTING",
                                         "TEXTED", "MESSAGING", "CONTACTING",
                                         # "sorry wrong number", "I think you have the wrong
                                         # number", "pretty sure this is the wrong number"
                                         "SORRY", "OOPS", "THINK", "BELIEVE", "GUESS", "PRETTY",
                                         "SURE", "HAS", "ESTE", "ESE",
                                         "GOING", "TO", "WILL", "ILL", "NOW", "ALREADY",
                                         # "Vous avez le mauvais numéro", "désolé mauvais numéro"
                                         "VOUS", "AVEZ", "LE", "CEST", "UN", "DESOLE", "TU", "AS"})


WHOLE_PHRASES: Final = frozenset({("NO", "THANKS"), ("NO", "THANK", "YOU"), ("NO", "MORE"),
                                  ("BASTA", "YA"), ("YA", "BASTA"), ("NO", "CONSENT"),
                                  ("NEVER", "AGAIN"),
                                  ("NO", "GRACIAS"), ("NO", "ME", "INTERESA"),
                                  ("NOT", "INTERESTED"), ("IM", "NOT", "INTERESTED"),
                                  ("I", "AM", "NOT", "INTERESTED"),
                                  # "I'm out" (not "I'm out of town", "I'm out today")
                                  ("IM", "OUT"), ("I", "AM", "OUT"), ("I", "M", "OUT"),
                                  # "Remove.", "remove please" (not "remove the hold")
                                  ("REMOVE",), ("REMOVE", "REMOVE"), ("REMOVE", "NOW"),
                                  # brush-offs and swearing as a whole text
                                  ("FUCK", "OFF"), ("F", "OFF"), ("PISS", "OFF"), ("BUZZ", "OFF"),
                                  ("BUG", "OFF"), ("GO", "TO", "HELL"), ("KNOCK", "IT", "OFF"),
                                  ("CUT", "IT", "OUT"), ("GET", "ME", "OFF"), ("GET", "LOST"),
                                  ("CEASE", "ALL", "COMMUNICATION"), ("ENOUGH",),
                                  ("ENOUGH", "ALREADY"), ("ENOUGH", "IS", "ENOUGH"),
                                  ("THATS", "ENOUGH"), ("IM", "DONE"), ("DO", "NOT", "CALL"),
                                  ("DISCONTINUE",), ("TURN", "OFF"), ("SHUT", "OFF"),
                                  ("SWITCH", "OFF"), ("RMV",), ("RMV", "ME"),
                                  ("THIS", "ISNT", "ME"), ("THIS", "IS", "NOT", "ME"),
                                  # Spanish: "no estoy interesado/a", "ya no gracias", "para ya"
                                  ("NO", "ESTOY", "INTERESADO"), ("NO", "ESTOY", "INTERESADA"),
                                  ("NO", "ME", "INTERESAN"), ("YA", "NO", "GRACIAS"),
                                  ("YA", "NO", "QUIERO"), ("YA", "NO", "MAS"), ("PARA", "YA"),
                                  ("YA", "PARA"), ("NO", "MOLESTAR"), ("NO", "MOLESTEN"),
                                  ("YA", "NO"),
                                  # "non merci" (MERCI set aside, read with THANKS like "no
                                  # thanks"), "Opted out", "don't want", "STFU", "mute"
                                  ("NON", "THANKS"), ("OPTED", "OUT"),
                                  ("IM", "OPTED", "OUT"), ("I", "OPTED", "OUT"),
                                  ("DONT", "WANT"), ("I", "DONT", "WANT"), ("DO", "NOT", "WANT"),
                                  ("I", "DO", "NOT", "WANT"), ("STFU",), ("SHUT", "UP"),
                                  ("MUTE",), ("MUTE", "ALL")})
# Words set aside around a whole phrase: "I'm out, bye", "remove asap", "no more lol" (not
# now: "I'm out now" is not at home).
WHOLE_ASIDE: Final = frozenset({"PLEASE", "PLS", "PLZ", "OK", "OKAY", "THANKS", "THANK", "YOU",
                                "THX", "TY", "BYE", "GOODBYE", "LOL", "LMAO", "HAHA", "ASAP",
                                "IMMEDIATELY", "SIR", "MAAM", "HEY", "HI", "HELLO", "SMH",
                                "UGH", "BRO", "BRUH", "DUDE", "MAN", "YO", "POR", "FAVOR",
                                "NAH", "NOPE", "U", "USPS", "WTF", "FFS", "SVP", "MERCI",
                                "GRACIAS", "PORFA", "PORFAVOR", "PORFIS"})


# Words that make a "no more texts" a report, not a request: "no more updates since Monday",
# "I got no more texts", "why no more texts?".
REPORT_WORDS: Final = frozenset(
    {"WHY", "WHERE", "WHEN", "HOW", "DID", "GOT", "RECEIVED", "HAD", "SINCE", "YET",
     "AFTER", "UNTIL", "STILL", "HAVENT", "HASNT", "WHAT", "SAYS", "SHOWS", "SHOWING",
     "DAYS", "WEEK", "WEEKS", "HOURS",
     "AVAILABLE", "WEBSITE", "SITE", "APP", "ONLINE", "THERE",
     # French: "pas de message depuis lundi", "plus de notification encore", "pas de textos reçus"
     "DEPUIS", "ENCORE", "RECU", "RECUS", "RECUE", "POURQUOI", "QUAND", "TOUJOURS", "JAMAIS"}
)


# Words for the texts as nouns: what a determiner and one or two words reach ("stop the daily
# texts", "cancel these useless alerts", "no more emails or texts"), and what a clause of them
# and OFF turns off ("sms off", "text alerts off").
TEXT_NOUNS: Final = frozenset(
    {"TEXT", "TEXTS", "TXT", "TXTS", "MESSAGE", "MESSAGES", "MSG", "MSGS", "SMS",
     "NOTIFICATION", "NOTIFICATIONS", "NOTIFS", "ALERT", "ALERTS", "UPDATES", "REMINDERS",
     "PINGS", "MENSAJES", "ALERTAS", "NOTIFICACIONES", "TEXTOS", "ALERTES"})
# Determiners after which one or two words may stand before a word for the texts.
DETERMINERS: Final = frozenset({"THE", "THESE", "THOSE", "THIS", "YOUR", "ALL", "ANY", "MORE",
                                "SUCH", "ME", "US", "ESTOS", "ESTAS", "LOS", "LAS", "DES", "LES",
                                "CES"})
