package knowledge

import (
	"slices"
	"sort"
	"strings"
)

// Visitors rarely use the owner's word: "parcel" for "package", "coupon" for "promo code",
// "when do you close" for "opening hours". A concept groups the words that mean the same thing
// in a shop conversation, per language; the matcher treats every word of a group as one term.
// The groups are deliberately narrow (customer-service vocabulary only) and a word belongs to
// at most one group per language. Words are written naturally and stemmed at start-up, so
// "packages" and "package" both land on the group of "package".
type concept struct {
	name  string
	words [numLanguages]string
}

// allConcepts is conceptList and catalogueList.
var allConcepts = append(append([]concept(nil), conceptList...), catalogueList...)

var conceptList = []concept{
	// A visitor's order and the parcel it travels in are the same thing to them.
	{"order", [numLanguages]string{
		langEN: "order orders ordered purchase package parcel shipment",
		langNL: "bestelling bestellen besteld aankoop pakket pakketje zending",
		langFR: "commande commander commandé achat colis paquet",
		langDE: "bestellung bestellen bestellt paket päckchen sendung",
		langES: "pedido pedidos pedir pido paquete",
	}},
	{"buy", [numLanguages]string{
		langEN: "buy bought sell sold",
		langNL: "kopen koop gekocht verkopen verkoop",
		langFR: "acheter achète acheté vendre vendez vente",
		langDE: "kaufen kauf gekauft verkaufen verkauf",
		langES: "comprar compra compré vender venden venta",
	}},
	{"ship", [numLanguages]string{
		langEN: "ship shipping shipped deliver delivery delivered dispatch dispatched send sending",
		langNL: "verzenden verzending verzend verzonden versturen verstuurd sturen stuur leveren levering lever geleverd bezorgen bezorging bezorgd",
		langFR: "livrer livraison livré expédier expédition expédié envoyer envoi envoyez port parti partie",
		langDE: "liefern lieferung geliefert versenden versand versendet verschicken verschickt schicken zustellen zustellung",
		langES: "enviar envío envían enviado entregar entrega entregado mandar",
	}},
	{"arrive", [numLanguages]string{
		langEN: "arrive arrived arrives arriving arrival receive received shown showed",
		langNL: "aankomen aangekomen aankomst ontvangen ontvang binnenkomen",
		langFR: "arriver arrive arrivé arrivée recevoir reçu reçois",
		langDE: "ankommen angekommen ankunft erhalten bekommen",
		langES: "llegar llega llegó llegada recibir recibido recibí",
	}},
	{"track", [numLanguages]string{
		langEN: "track tracking trace follow",
		langNL: "volgen track trace tracking",
		langFR: "suivre suivi tracking",
		langDE: "verfolgen verfolgung tracking sendungsverfolgung",
		langES: "rastrear rastreo seguimiento seguir",
	}},
	{"return", [numLanguages]string{
		langEN: "return returns returned returning",
		langNL: "retour retourneren retourneer geretourneerd terugsturen terugbrengen",
		langFR: "retour retourner retourné renvoyer renvoi rendre",
		langDE: "rücksendung zurücksenden zurückschicken retoure retournieren zurückgeben rückgabe",
		langES: "devolver devolución devuelvo devuelven devuelto devuelta",
	}},
	{"refund", [numLanguages]string{
		langEN: "refund refunded reimburse reimbursement",
		langNL: "terugbetaling terugbetalen terugbetaald terugstorten teruggestort restitutie",
		langFR: "rembourser remboursement remboursé",
		langDE: "rückerstattung erstatten erstattung erstattet zurückerstatten",
		langES: "reembolso reembolsar reembolsan reembolsado",
	}},
	{"exchange", [numLanguages]string{
		langEN: "exchange exchanging swap",
		langNL: "ruilen omruilen ruil omwisselen",
		langFR: "échanger échange",
		langDE: "umtauschen umtausch tauschen",
		langES: "intercambiar intercambio",
	}},
	{"change", [numLanguages]string{
		langEN: "change modify alter edit adjust add adding",
		langNL: "wijzigen wijziging veranderen aanpassen toevoegen",
		langFR: "modifier modification changer ajouter",
		langDE: "ändern änderung abändern hinzufügen ergänzen",
		langES: "cambiar cambio modificar añadir agregar",
	}},
	{"advice", [numLanguages]string{
		langEN: "advice advise recommend recommendation",
		langNL: "advies adviseren aanraden",
		langFR: "conseil conseiller conseillez recommander recommandez",
		langDE: "beratung beraten empfehlen empfehlung empfehlt",
		langES: "consejo aconsejar aconsejan recomendar recomiendan recomendación",
	}},
	// How clothes fit; French and Spanish say it with the size ("taille petit", "talla grande").
	{"fit", [numLanguages]string{
		langEN: "fit fits fitting suit suits",
		langNL: "past passen pasvorm",
		langDE: "passt passen passform",
	}},
	{"chart", [numLanguages]string{
		langEN: "chart table guide",
		langNL: "tabel tabellen",
		langFR: "tableau guide",
		langDE: "tabelle",
		langES: "tabla guía",
	}},
	{"hours", [numLanguages]string{
		langEN: "open opening opened close closed closing hours",
		langNL: "open geopend openingstijden dicht gesloten sluiten sluit",
		langFR: "ouvert ouverte ouverts ouverture ouvrir fermé fermer fermeture fermez horaires",
		langDE: "offen geöffnet öffnen öffnungszeiten schließen geschlossen schließt",
		langES: "abrir abierto abren apertura cerrar cerrado cierran cierre horario horarios",
	}},
	{"weekday", [numLanguages]string{
		langEN: "monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays thursdays fridays saturdays sundays weekend weekends",
		langNL: "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag weekend",
		langFR: "lundi mardi mercredi jeudi vendredi samedi dimanche week-end weekend",
		langDE: "montag dienstag mittwoch donnerstag freitag samstag sonntag montags samstags sonntags wochenende",
		langES: "lunes martes miércoles jueves viernes sábado sábados domingo domingos",
	}},
	{"address", [numLanguages]string{
		langEN: "address location located",
		langNL: "adres locatie gevestigd",
		langFR: "adresse emplacement situé située",
		langDE: "adresse standort",
		langES: "dirección ubicación ubicado ubicados situado",
	}},
	{"store", [numLanguages]string{
		langEN: "store shop",
		langNL: "winkel zaak",
		langFR: "magasin boutique",
		langDE: "laden geschäft filiale",
		langES: "tienda",
	}},
	{"pay", [numLanguages]string{
		langEN: "pay paying paid payment payments",
		langNL: "betalen betaling betaald betaal",
		langFR: "payer paiement",
		langDE: "zahlen bezahlen zahlung bezahlt",
		langES: "pagar pago pagado",
	}},
	{"method", [numLanguages]string{
		langEN: "method methods option options",
		langNL: "methode methodes optie opties mogelijkheden",
		langFR: "moyen moyens mode modes méthode option options",
		langDE: "methode methoden möglichkeit möglichkeiten art arten option",
		langES: "método métodos forma formas opción opciones medio medios",
	}},
	{"invoice", [numLanguages]string{
		langEN: "invoice invoices receipt bill",
		langNL: "factuur facturen kassabon",
		langFR: "facture factures",
		langDE: "rechnung quittung beleg",
		langES: "factura facturas",
	}},
	{"discount", [numLanguages]string{
		langEN: "discount coupon promo promotional",
		langNL: "korting actie kortingsbon",
		langFR: "réduction remise promo promotionnel coupon",
		langDE: "rabatt aktion",
		langES: "descuento cupón promoción promocional",
	}},
	{"gift", [numLanguages]string{
		langEN: "gift present",
		langNL: "cadeau kado",
		langFR: "cadeau",
		langDE: "geschenk",
		langES: "regalo",
	}},
	{"card", [numLanguages]string{
		langEN: "card cards voucher",
		langNL: "kaart bon",
		langFR: "carte cartes bon",
		langDE: "karte kreditkarte", // not "Gutschein": it is a gift voucher and a discount coupon
		langES: "tarjeta tarjetas cheque",
	}},
	{"create", [numLanguages]string{
		langEN: "create creating",
		langNL: "aanmaken maken maak",
		langFR: "créer crée",
		langDE: "erstellen erstelle anlegen",
		langES: "crear creo",
	}},
	// The opposite of creating: an entry about opening an account does not answer closing one.
	{"delete", [numLanguages]string{
		langEN: "delete deleting deleted remove removing erase",
		langNL: "verwijderen verwijder verwijderd opheffen",
		langFR: "supprimer supprime supprimé effacer",
		langDE: "löschen lösche gelöscht entfernen entferne",
		langES: "eliminar elimino eliminado borrar borro",
	}},
	// Starting a subscription, the opposite of cancelling one.
	{"subscribe", [numLanguages]string{
		langEN: "subscribe subscribing start",
		langNL: "abonneren beginnen begin begint starten",
		langFR: "souscrire commencer",
		langDE: "abonnieren starten beginnen anfangen",
		langES: "suscribir suscribirme empezar apuntar apuntarme apunto",
	}},
	// Work at the shop: "job openings" and "offene Stellen" are not opening hours.
	{"job", [numLanguages]string{
		langEN: "job jobs vacancy vacancies hiring career careers",
		langNL: "vacature vacatures baan banen sollicitatie solliciteren",
		langFR: "emploi emplois recrutement recrutez recruter candidature",
		langDE: "job jobs bewerbung bewerben stellenangebot",
		langES: "empleo empleos vacante vacantes",
	}},
	{"when", [numLanguages]string{
		langEN: "when",
		langNL: "wanneer",
		langFR: "quand",
		langDE: "wann",
		langES: "cuándo cuando",
	}},
	{"where", [numLanguages]string{
		langEN: "where wheres",
		langNL: "waar",
		langFR: "où",
		langDE: "wo",
		langES: "dónde donde",
	}},
	{"account", [numLanguages]string{
		langEN: "account profile",
		langNL: "account profiel",
		langFR: "compte profil",
		langDE: "konto profil",
		langES: "cuenta perfil",
	}},
	{"login", [numLanguages]string{
		langEN: "login log logging",
		langNL: "inloggen ingelogd login",
		langFR: "connecter connexion identifier",
		langDE: "anmelden einloggen login",
		langES: "entrar acceder login sesión",
	}},
	{"register", [numLanguages]string{
		langEN: "register registration signup",
		langNL: "registreren registratie aanmelden inschrijven",
		langFR: "inscrire inscription enregistrer",
		langDE: "registrieren registrierung",
		langES: "registrar registrarme registro",
	}},
	{"password", [numLanguages]string{
		langEN: "password pw",
		langNL: "wachtwoord",
		langFR: "passe",
		langDE: "passwort kennwort",
		langES: "contraseña clave",
	}},
	{"forgot", [numLanguages]string{
		langEN: "forgot forget forgotten lost remember",
		langNL: "vergeten kwijt herinner herinneren",
		langFR: "oublié oublier perdu souviens souvenir rappelle",
		langDE: "vergessen verloren erinnere erinnern",
		langES: "olvidé olvidado olvidar perdí perdido recuerdo recordar acuerdo",
	}},
	{"cancel", [numLanguages]string{
		langEN: "cancel cancelled canceled cancellation stop terminate unsubscribe",
		langNL: "annuleren annulering opzeggen stopzetten stoppen beëindigen afmelden uitschrijven",
		langFR: "annuler annulation résilier arrêter stopper désabonner désinscrire",
		langDE: "stornieren stornierung kündigen kündigung beenden abmelden abbestellen",
		langES: "cancelar anular baja terminar",
	}},
	{"subscription", [numLanguages]string{
		langEN: "subscription subscriptions membership",
		langNL: "abonnement abo",
		langFR: "abonnement abo",
		langDE: "abonnement abo",
		langES: "suscripción",
	}},
	{"email", [numLanguages]string{
		langEN: "email emails mail",
		langNL: "email mail mailen mailtje",
		langFR: "email courriel mail",
		langDE: "email mail",
		langES: "email correo mail",
	}},
	{"newsletter", [numLanguages]string{
		langEN: "newsletter newsletters",
		langNL: "nieuwsbrief",
		langFR: "newsletter infolettre",
		langDE: "newsletter",
		langES: "boletín newsletter",
	}},
	{"phone", [numLanguages]string{
		langEN: "phone telephone call",
		langNL: "telefoon telefoonnummer bellen",
		langFR: "téléphone appeler",
		langDE: "telefon telefonnummer anrufen",
		langES: "teléfono llamar",
	}},
	{"contact", [numLanguages]string{
		langEN: "contact reach support helpdesk",
		langNL: "contact bereiken klantenservice klantendienst helpdesk",
		langFR: "contacter contact joindre sav",
		langDE: "kontakt kontaktieren erreichen kundenservice kundendienst support",
		langES: "contactar contacto comunicar soporte",
	}},
	{"broken", [numLanguages]string{
		langEN: "broken broke defect defective faulty torn ripped",
		langNL: "kapot defect stuk gescheurd",
		langFR: "cassé casser défectueux déchiré panne",
		langDE: "kaputt defekt gerissen",
		langES: "roto rota rompió defectuoso estropeado estropeó",
	}},
	{"damaged", [numLanguages]string{
		langEN: "damaged damage",
		langNL: "beschadigd schade",
		langFR: "endommagé abîmé",
		langDE: "beschädigt schaden",
		langES: "dañado daño",
	}},
	{"wrong", [numLanguages]string{
		langEN: "wrong incorrect",
		langNL: "verkeerd verkeerde fout",
		langFR: "mauvais erroné",
		langDE: "falsch falsche",
		langES: "equivocado equivocada incorrecto",
	}},
	{"product", [numLanguages]string{
		langEN: "product item article goods",
		langNL: "product artikel",
		langFR: "produit article",
		langDE: "produkt artikel ware",
		langES: "producto artículo",
	}},
	{"cost", [numLanguages]string{
		langEN: "cost costs price fee fees",
		langNL: "kosten kost prijs tarief",
		langFR: "frais prix coût coûte tarif",
		langDE: "kosten kostet preis gebühr",
		langES: "coste costo cuesta precio gastos tarifa",
	}},
	{"free", [numLanguages]string{
		langEN: "free",
		langNL: "gratis kosteloos",
		langFR: "gratuit gratuite offert",
		langDE: "kostenlos gratis umsonst frei",
		langES: "gratis gratuito",
	}},
	// What is left on a gift card or an account: an attribute (answer.go) few answers state.
	{"balance", [numLanguages]string{
		langEN: "balance",
		langNL: "tegoed saldo",
		langDE: "guthaben restguthaben saldo",
		langES: "saldo",
	}},
	// What a box or a package holds: an attribute (answer.go) few answers state.
	{"contents", [numLanguages]string{
		langEN: "contents",
		langNL: "inhoud",
		langFR: "contenu",
		langDE: "inhalt drin",
		langES: "contenido",
	}},
	// "How fast" asks what "how long" asks.
	{"duration", [numLanguages]string{
		langEN: "long time times duration day days week weeks month months fast quick quickly",
		langNL: "lang duurt duur tijd dagen dag week weken maand maanden snel",
		langFR: "délai délais temps durée jours jour semaine semaines mois rapide rapidement vite",
		langDE: "lange dauer dauert zeit tage tagen woche wochen monat monate monaten schnell",
		langES: "tarda tardar tiempo plazo plazos días semana semanas meses rápido rápida rápidamente",
	}},
	{"country", [numLanguages]string{
		langEN: "country countries abroad outside international internationally worldwide overseas",
		langNL: "land landen buitenland internationaal",
		langFR: "pays étranger international internationale",
		langDE: "land länder ausland international",
		langES: "país países extranjero internacional internacionales",
	}},
	// "Bigger", "kleiner", "grande": how a size fits. German stems "größer" like "Größe" anyway.
	{"size", [numLanguages]string{
		langEN: "size sizes sizing small smaller large larger big bigger",
		langNL: "maat maten klein kleiner groot groter",
		langFR: "taille tailles petit petite grand grande",
		langDE: "größe größen klein kleiner groß",
		langES: "talla tallas pequeño pequeña grande grandes",
	}},
	{"guest", [numLanguages]string{
		langEN: "guest",
		langNL: "gast",
		langFR: "invité",
		langDE: "gast",
		langES: "invitado",
	}},
	// Ways to pay: the brands, and a bank transfer or cash.
	{"paymethod", [numLanguages]string{
		langEN: paymentNames + " transfer wire cash",
		langNL: paymentNames + " overboeking overboeken overmaken overschrijving contant",
		langFR: paymentNames + " virement espèces",
		langDE: paymentNames + " überweisung überweisen vorkasse bargeld",
		langES: paymentNames + " bizum transferencia efectivo",
	}},
	// Value added tax and the tax numbers of a company, which visitors want on an invoice.
	{"tax", [numLanguages]string{
		langEN: "vat tax taxes",
		langNL: "btw belasting btwnummer",
		langFR: "tva taxe taxes",
		langDE: "mwst mehrwertsteuer ust umsatzsteuer steuer steuernummer",
		langES: "iva impuesto impuestos cif nif",
	}},
	{"company", [numLanguages]string{
		langEN: "company business firm",
		langNL: "bedrijf onderneming firma",
		langFR: "entreprise société",
		langDE: "firma unternehmen",
		langES: "empresa negocio",
	}},
	{"money", [numLanguages]string{
		langEN: "money",
		langNL: "geld",
		langFR: "argent",
		langDE: "geld",
		langES: "dinero",
	}},
	{"back", [numLanguages]string{
		langEN: "back",
		langNL: "terug",
		langDE: "zurück",
		langES: "vuelta",
	}},
	{"reset", [numLanguages]string{
		langEN: "reset",
		langNL: "resetten herstellen",
		langFR: "réinitialiser",
		langDE: "zurücksetzen",
		langES: "restablecer restablezco resetear",
	}},
	// Taking a way to pay: "do you accept PayPal", "nehmt ihr Klarna", "¿aceptáis tarjeta?".
	{"accept", [numLanguages]string{
		langEN: "accept accepted accepts",
		langNL: "accepteren accepteert accepteer geaccepteerd",
		langFR: "accepter acceptez accepte accepté",
		langDE: "akzeptieren akzeptiert nehmt",
		langES: "aceptar aceptan acepta aceptáis aceptado",
	}},
	// What the warranty promises for a defect: a repair or a replacement.
	{"replace", [numLanguages]string{
		langEN: "replace replaced replacement",
		langNL: "vervangen vervangt vervanging",
		langFR: "remplacer remplacez remplacement",
		langDE: "ersetzen ersetzt ersatz",
		langES: "sustituir sustituyen reemplazar reemplazo",
	}},
	{"repair", [numLanguages]string{
		langEN: "repair repaired repairs",
		langNL: "repareren repareert reparatie",
		langFR: "réparer réparez réparation",
		langDE: "reparieren repariert reparatur",
		langES: "reparar reparan reparación arreglar",
	}},
	// Negation marks a report of a problem ("my code does not work", "je n'ai pas reçu").
	{"not", [numLanguages]string{
		langEN: "not no cannot cant didn doesn don isn wasn hasn haven won wont aren couldn dont doesnt didnt isnt wasnt hasnt havent arent couldnt",
		langNL: "niet geen",
		langFR: "pas ne",
		langDE: "nicht kein keine keinen keiner",
		langES: "no",
	}},
	{"double", [numLanguages]string{
		langEN: "twice double",
		langNL: "dubbel",
		langFR: "fois",
		langDE: "doppelt zweimal",
		langES: "doble veces",
	}},
	{"charge", [numLanguages]string{
		langEN: "charged debited",
		langNL: "afgeschreven afschrijving",
		langFR: "débité prélevé prélèvement",
		langDE: "abgebucht abbuchung belastet",
		langES: "cobrado cobraron cargo",
	}},
	{"fail", [numLanguages]string{
		langEN: "fail failed fails declined rejected refused work works working error invalid",
		langNL: "mislukt geweigerd werkt lukt ongeldig",
		langFR: "échoué refusé fonctionne marche erreur invalide",
		langDE: "fehlgeschlagen abgelehnt funktioniert klappt fehler ungültig",
		langES: "fallado fallido rechazado funciona error inválido",
	}},
	// Something missing from a parcel is a complaint of its own.
	{"missing", [numLanguages]string{
		langEN: "missing lacking",
		langNL: "ontbreekt ontbreken ontbrak",
		langFR: "manque manquant manquante manquent",
		langDE: "fehlt fehlend fehlende", // not "fehlen": it stems like "Fehler"
		langES: "falta faltan faltaba faltante",
	}},
	// "Another size", "een andere maat": what an exchange asks for. A function concept (below):
	// ignored when the base never says it. German "andere" stems like "ändern" and so joins
	// "change", which in a shop means much the same ("eine andere Größe").
	{"other", [numLanguages]string{
		langEN: "other another different",
		langNL: "andere ander anders",
		langFR: "autre autres différent différente",
		langES: "otro otra otros otras distinto distinta diferente",
	}},
}

// catalogueList groups the things a shop sells that visitors name in passing: "the zipper of my
// jacket broke", "how do I send shoes back". They are details of a question, not its topic, so
// they weigh weakFactor of a word's weight (detailConcepts). When the base does not name the
// thing itself, it stands for "product" (item, article) if the base uses that, and otherwise is
// an unknown word of weakFactor weight. The lists cover clothing, shoes, bags and outdoor gear,
// the most common goods of shops that use chat; other goods are plain words.
var catalogueList = []concept{
	{"jacket", [numLanguages]string{
		langEN: "jacket jackets coat coats parka anorak raincoat fleece vest gilet",
		langNL: "jas jassen jack jasje regenjas parka anorak fleece bodywarmer",
		langFR: "veste vestes manteau blouson parka anorak doudoune polaire gilet",
		langDE: "jacke jacken mantel parka anorak regenjacke daunenjacke fleece weste",
		langES: "chaqueta chaquetas abrigo parka anorak cazadora plumífero chubasquero chaleco",
	}},
	{"trousers", [numLanguages]string{
		langEN: "trousers pants jeans shorts leggings skirt dress",
		langNL: "broek broeken jeans short legging rok jurk",
		langFR: "pantalon pantalons jean short legging jupe robe",
		langDE: "hose hosen jeans shorts leggings rock kleid",
		langES: "pantalón pantalones vaqueros shorts mallas falda vestido",
	}},
	{"top", [numLanguages]string{
		langEN: "shirt shirts tshirt sweater jumper hoodie pullover blouse",
		langNL: "shirt shirts trui truien hoodie blouse overhemd",
		langFR: "chemise chemises tshirt pull sweat blouse",
		langDE: "hemd shirt pullover pulli bluse",
		langES: "camisa camiseta jersey sudadera blusa",
	}},
	{"shoes", [numLanguages]string{
		langEN: "shoes shoe boots boot sneakers trainers sandals",
		langNL: "schoenen schoen laarzen laars sneakers sandalen wandelschoenen",
		langFR: "chaussures chaussure bottes baskets sandales",
		langDE: "schuhe schuh stiefel sneaker sandalen wanderschuhe",
		langES: "zapatos zapato zapatillas botas sandalias",
	}},
	{"stove", [numLanguages]string{
		langEN: "stove stoves burner",
		langNL: "brander kooktoestel",
		langFR: "réchaud réchauds",
		langDE: "kocher gaskocher",
		langES: "hornillo hornillos",
	}},
	{"bag", [numLanguages]string{
		langEN: "backpack backpacks rucksack bag bags",
		langNL: "rugzak rugtas tas tassen",
		langFR: "sac sacs sacoche",
		langDE: "rucksack tasche taschen",
		langES: "mochila mochilas bolsa bolso",
	}},
	{"accessory", [numLanguages]string{
		langEN: "socks gloves cap scarf",
		langNL: "sokken handschoenen muts pet sjaal",
		langFR: "chaussettes gants bonnet casquette écharpe",
		langDE: "socken handschuhe mütze kappe schal",
		langES: "calcetines guantes gorro gorra bufanda",
	}},
	{"tent", [numLanguages]string{
		langEN: "tent tents",
		langNL: "tent tenten",
		langFR: "tente tentes",
		langDE: "zelt zelte",
		langES: "carpa carpas",
	}},
	{"zipper", [numLanguages]string{
		langEN: "zipper zip",
		langNL: "rits ritssluiting",
		langFR: "zip",
		langDE: "reißverschluss",
		langES: "cremallera",
	}},
}

// detailConcepts holds the terms of catalogueList.
var detailConcepts = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range catalogueList {
		m["~"+c.name] = true
	}
	return m
}()

// productConcept is what a thing of the catalogue stands for when the base does not name it.
const productConcept = "~product"

// pairList holds two-word expressions that mean one concept, in either order and with only small
// words between them ("get my money back", "devuelven el dinero"). Each language lists pairs
// separated by commas.
var pairList = []struct {
	concept string
	pairs   [numLanguages]string
}{
	{"refund", [numLanguages]string{
		langEN: "money back, refund money",
		langNL: "geld terug, geld teruggestort, geld terugstorten, geld terugkrijgen",
		langFR: "argent rembourser, récupérer argent, argent retour",
		langDE: "geld zurück, geld erstattet, geld zurückbekommen",
		langES: "dinero vuelta, devolver dinero, devuelven dinero, recuperar dinero",
	}},
	{"zipper", [numLanguages]string{
		langFR: "fermeture éclair",
	}},
	// Something that stopped working is broken, not a cancellation ("stop") or a failed payment.
	{"broken", [numLanguages]string{
		langEN: "stopped working, stop working",
		langFR: "arrêté fonctionner, arrêté marcher",
		langES: "dejó funcionar, dejado funcionar",
	}},
	{"reset", [numLanguages]string{
		langDE: "setze zurück, setzen zurück",
	}},
	{"contact", [numLanguages]string{
		langEN: "customer service, customer support",
		langFR: "service client",
		langES: "atención cliente, servicio cliente",
	}},
	{"paymethod", [numLanguages]string{
		langEN: "bank transfer, apple pay, google pay",
		langNL: "bank overschrijving, apple pay, google pay",
		langFR: "virement bancaire, apple pay, google pay",
		langDE: "bank überweisung, apple pay, google pay",
		langES: "transferencia bancaria, apple pay, google pay",
	}},
	{"register", [numLanguages]string{
		langEN: "sign up",
	}},
	{"job", [numLanguages]string{
		langDE: "offene stellen",
	}},
	{"return", [numLanguages]string{
		langEN: "send back, bring back, sent back",
		langNL: "terug sturen, terug brengen, terug zenden",
		langFR: "renvoyer article, retourner article",
		langDE: "zurück schicken, zurück senden, zurück bringen",
		langES: "devolver artículo, devolver producto",
	}},
}

// expansionList holds words that stand for two concepts at once: "postage" is what shipping
// costs, and is matched as "shipping" and "cost" ("Versandkosten" is split into the two as a
// compound). Each language lists "word: concept concept" items separated by commas.
var expansionList = [numLanguages]string{
	langEN: "postage: ship cost",
	langNL: "porto: ship cost, portokosten: ship cost",
	langFR: "affranchissement: ship cost",
	langDE: "porto: ship cost, portokosten: ship cost",
	langES: "portes: ship cost",
}

// expansions maps, per language, the stem of a word of expansionList to its concepts' keys.
var expansions = func() [numLanguages]map[string][]string {
	var m [numLanguages]map[string][]string
	for l := range numLanguages {
		m[l] = map[string][]string{}
		for item := range strings.SplitSeq(expansionList[l], ",") {
			word, cs, ok := strings.Cut(item, ":")
			if !ok {
				continue
			}
			var keys []string
			for _, c := range strings.Fields(cs) {
				keys = append(keys, "~"+c)
			}
			for _, w := range words(word) {
				m[l][stem(w, l)] = keys
			}
		}
	}
	return m
}()

// conceptPairs are expressions of two concepts, in every language: money and back or return is
// a refund ("geld terug", "devolver el dinero"); sending back is a return.
var conceptPairs = map[string]string{
	pairKey("~money", "~back"):   "~refund",
	pairKey("~money", "~return"): "~refund",
	pairKey("~ship", "~back"):    "~return",
}

// contextRewrites change the concept of a word next to another: to open an account ("een
// account openen", "abrir una cuenta") is to create one, not a question about opening hours.
// The neighbour keeps its own concept.
var contextRewrites = map[string]map[string]string{
	"~hours": {"~account": "~create", "~job": "~job"},
}

// rewriteAt returns the concept stems[i] takes because of a word at most pairWindow words away
// on either side, if any. In Dutch and German the neighbour may be a compound that ends in a
// word of the concept ("klantaccount", "Kundenkonto").
func rewriteAt(stems []string, i int, l language) (string, bool) {
	c, ok := rewriteNear(stems, i, l)
	if ok && c == "~create" && closingStems[l][stems[i]] {
		// To close an account is to delete it.
		return "~delete", true
	}
	return c, ok
}

// closingStems holds, per language, the stems of the words for closing among the "hours"
// concept's: next to "account" they mean deleting it, not creating it.
var closingStems = func() [numLanguages]map[string]bool {
	ws := [numLanguages]string{
		langEN: "close closed closing",
		langNL: "dicht gesloten sluiten sluit",
		langFR: "fermé fermer fermeture fermez",
		langDE: "geschlossen schließen schließt",
		langES: "cerrar cerrado cierran cierre",
	}
	var m [numLanguages]map[string]bool
	for l := range numLanguages {
		m[l] = map[string]bool{}
		for _, w := range words(ws[l]) {
			m[l][stem(w, l)] = true
		}
	}
	return m
}()

// rewriteNear is rewriteAt before the closing words are told apart.
func rewriteNear(stems []string, i int, l language) (string, bool) {
	rw, ok := contextRewrites[canon(stems[i], l)]
	if !ok {
		return "", false
	}
	for j := max(0, i-pairWindow); j < len(stems) && j <= i+pairWindow; j++ {
		if j == i {
			continue
		}
		if c, ok := rw[canon(stems[j], l)]; ok {
			return c, true
		}
		if l != langNL && l != langDE {
			continue
		}
		for trigger, c := range rw {
			for _, head := range conceptMembers[l][trigger] {
				if len(head) >= minPartLen && len(stems[j]) > len(head) && strings.HasSuffix(stems[j], head) {
					return c, true
				}
			}
		}
	}
	return "", false
}

// conceptMembers lists, per language, the stems of each concept (by key).
var conceptMembers = func() [numLanguages]map[string][]string {
	var m [numLanguages]map[string][]string
	for l := range numLanguages {
		m[l] = map[string][]string{}
		for _, s := range conceptStems[l] {
			k := concepts[l][s]
			m[l][k] = append(m[l][k], s)
		}
	}
	return m
}()

// pairWindow is how far apart, in content words, the two words of a pair may be. Dutch and
// German put a verb's particle at the end of the clause ("stuur ik de schoenen terug", "schicke
// ich die Schuhe zurück") and negations come between ("mein Geld ist noch nicht zurück").
const pairWindow = 3

// pairConcepts maps, per language, "stemA stemB" (sorted) to a concept key.
var pairConcepts = func() [numLanguages]map[string]string {
	var m [numLanguages]map[string]string
	for l := range numLanguages {
		m[l] = map[string]string{}
		for _, p := range pairList {
			for _, pair := range strings.Split(p.pairs[l], ",") {
				ws := words(pair)
				if len(ws) == 2 {
					m[l][pairKey(stem(ws[0], l), stem(ws[1], l))] = "~" + p.concept
				}
			}
		}
	}
	return m
}()

// pairKey joins two stems in a fixed order.
func pairKey(a, b string) string {
	if a > b {
		a, b = b, a
	}
	return a + " " + b
}

// pairAt finds a word after stems[i], at most pairWindow words on and not yet used, that forms
// a pair with it; it returns the pair's concept and the other word's position.
func pairAt(stems []string, used []bool, i int, l language) (string, int, bool) {
	for j := i + 1; j < len(stems) && j <= i+pairWindow; j++ {
		if used[j] {
			continue
		}
		if c, ok := pairConcepts[l][pairKey(stems[i], stems[j])]; ok {
			return c, j, true
		}
		if c, ok := conceptPairs[pairKey(canon(stems[i], l), canon(stems[j], l))]; ok {
			return c, j, true
		}
	}
	return "", 0, false
}

// functionConcepts are stop words at heart: they help tell "where is my order" from "when will
// my order arrive" when the base uses them, and are ignored when it does not, instead of counting
// as words the base does not know.
var functionConcepts = map[string]bool{"~when": true, "~where": true, "~not": true, "~other": true}

// paymentNames are payment services and card schemes, the same in every language.
const paymentNames = "paypal klarna ideal bancontact visa mastercard amex maestro sofort giropay " +
	"afterpay riverty applepay googlepay creditcard"

// countryNames are names of countries visitors ask about. They lead to the concept "country",
// but at weakFactor of a word's weight: in "shipping costs to Belgium" the country is a detail,
// while in "do you ship to Belgium?" it is the question, and the other words decide which.
var countryNames = [numLanguages]string{
	langEN: `netherlands holland belgium germany france spain italy portugal austria switzerland
		luxembourg denmark sweden norway finland poland ireland uk england scotland wales britain
		kingdom greece czechia hungary romania usa america united states canada australia europe`,
	langNL: `nederland holland belgie duitsland frankrijk spanje italie portugal oostenrijk zwitserland
		luxemburg denemarken zweden noorwegen finland polen ierland engeland brittannie schotland
		griekenland tsjechie hongarije roemenie amerika verenigde staten canada australie europa`,
	langFR: `hollande belgique allemagne france espagne italie portugal autriche suisse luxembourg
		danemark suede norvege finlande pologne irlande angleterre royaume-uni ecosse grece
		tchequie hongrie roumanie amerique etats-unis canada australie europe`,
	langDE: `niederlande holland belgien deutschland frankreich spanien italien portugal österreich
		schweiz luxemburg dänemark schweden norwegen finnland polen irland england großbritannien
		schottland griechenland tschechien ungarn rumänien amerika usa vereinigte staaten kanada
		australien europa`,
	langES: `holanda bélgica alemania francia españa italia portugal austria suiza luxemburgo dinamarca
		suecia noruega finlandia polonia irlanda inglaterra reino escocia grecia chequia hungría
		rumanía américa eeuu estados unidos canadá australia europa`,
}

// weakFactor is the share of its weight a country name keeps.
const weakFactor = 0.5

// weakConcepts holds, per language, the stems of countryNames.
var weakConcepts = func() [numLanguages]map[string]bool {
	var m [numLanguages]map[string]bool
	for l := range numLanguages {
		m[l] = map[string]bool{}
		for _, w := range words(countryNames[l]) {
			m[l][stem(w, l)] = true
		}
	}
	return m
}()

// concepts maps, per language, the stem of every word of conceptList to its group's term.
var concepts = func() [numLanguages]map[string]string {
	var m [numLanguages]map[string]string
	for l := range numLanguages {
		m[l] = map[string]string{}
		for _, c := range allConcepts {
			for _, w := range strings.Fields(c.words[l]) {
				for _, n := range words(w) {
					s := stem(n, l)
					if _, dup := m[l][s]; !dup {
						m[l][s] = "~" + c.name
					}
				}
			}
		}
		for _, w := range words(countryNames[l]) {
			if s := stem(w, l); m[l][s] == "" {
				m[l][s] = "~country"
			}
		}
	}
	return m
}()

// foreignConcepts maps a word of a concept's list, as written (normalised), to the concept, when
// every language that lists the word agrees. A message analysed in another language than its
// own (too short to tell) keeps such a word's meaning: "cuesta" is the cost in every analysis,
// not a typo of the Spanish "cuenta" (account) in the English one.
var foreignConcepts = func() map[string]string {
	m := map[string]string{}
	bad := map[string]bool{}
	for l := range numLanguages {
		for _, c := range allConcepts {
			for _, w := range words(c.words[l]) {
				if k, ok := m[w]; ok && k != "~"+c.name {
					bad[w] = true
				}
				m[w] = "~" + c.name
			}
		}
	}
	for w := range bad {
		delete(m, w)
	}
	return m
}()

// conceptStems lists, per language, the stems of concepts, sorted for prefix look-ups.
var conceptStems = func() [numLanguages][]string {
	var out [numLanguages][]string
	for l := range numLanguages {
		for s := range concepts[l] {
			out[l] = append(out[l], s)
		}
		sort.Strings(out[l])
	}
	return out
}()

// canon returns the term key of stem s in language l: its concept, or the stem itself.
func canon(s string, l language) string {
	if c, ok := concepts[l][s]; ok {
		return c
	}
	return s
}

// conceptWord is a word of a concept, reachable from its one-letter deletions.
type conceptWord struct {
	word, key string
}

// conceptNear indexes, per language, the words of the concepts (as written, normalised) by
// themselves and their one-letter deletions, so that a misspelt concept word ("recieved",
// "kostn" in "verzendkostn") is recognised even when the base spells the concept differently.
var conceptNear = func() [numLanguages]map[string][]conceptWord {
	var out [numLanguages]map[string][]conceptWord
	for l := range numLanguages {
		out[l] = map[string][]conceptWord{}
		for _, c := range allConcepts {
			for _, w := range words(c.words[l]) {
				if len(w) < minFuzzyLen {
					continue
				}
				cw := conceptWord{w, canon(stem(w, l), l)}
				add := func(v string) {
					if !slices.Contains(out[l][v], cw) {
						out[l][v] = append(out[l][v], cw)
					}
				}
				add(w)
				forDeletions(w, add)
			}
		}
	}
	return out
}()

// conceptTypo returns the concept of the word of language l one edit away from w. When several
// are, the alphabetically first word decides, so the result does not depend on map order.
func conceptTypo(w string, l language) (string, bool) {
	if len(w) < minFuzzyLen {
		return "", false
	}
	best, bestWord := "", ""
	check := func(v string) {
		for _, cw := range conceptNear[l][v] {
			if osaWithin1(w, cw.word) && (bestWord == "" || cw.word < bestWord) {
				best, bestWord = cw.key, cw.word
			}
		}
	}
	check(w)
	forDeletions(w, check)
	return best, best != ""
}
