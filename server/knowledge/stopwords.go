package knowledge

import "strings"

// Stop words are removed before matching. The lists are the Snowball stop lists of the five
// languages, plus the small talk and question words visitors wrap around a question ("hi",
// "please", "I would like to know"), and generic words that never carry the topic of a shop
// question: time adverbs, number words, everyday verbs and adjectives ("today", "two", "go",
// "good", "possible"). A word the knowledge base does not use lowers the confidence, which is
// right for "student" in "student discount" but wrong for "today" in "are you open today".
// They form one set for all languages: a visitor's language is often unknown, and a word that is
// a stop word in one language is rarely the word a question turns on in another.
var stopwordLists = [numLanguages]string{
	langEN: `i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
		she her hers herself it its itself they them their theirs themselves what which who whom this
		that these those am is are was were be been being have has had having do does did doing would
		should could ought a an the and but if or because as until while of at by for with about
		against between into through during before after above below to from up down in out on off
		over under again further then once here there why how all any both each few more
		most some such nor only own same so than too very s t d ll m re ve y
		weren hadn wouldn shouldn can
		will shall may might must im ive id youre theyre whats hows thats theres
		hi hello hey hiya dear please pls plz thanks thank thx cheers ok okay yes yeah yep
		want wanna like need know tell let get got gets getting just also still really anyone
		anybody someone somebody something anything question wondering wonder help much many
		without say says said certain
		guys u ur
		today tomorrow yesterday now yet already soon again ever always never sometimes here there
		go goes going went gone come comes coming came put puts make makes made take takes took
		give gives see look find found try seem good bad fine great possible impossible way thing
		things stuff lot bit one two three four five six seven eight nine ten maybe perhaps
		actually exactly sure right problem issue
		online web website site webshop internet doubt euro euros eur cent cents wait waiting waited keep keeps kept`,
	langNL: `de en van ik te dat die in een hij het zijn is was op aan met als voor had er maar om
		hem dan zou of wat mijn men dit zo door over ze zich bij ook tot je mij uit der daar haar naar
		heb hoe heeft hebben deze u want nog zal me zij nu ge omdat iets worden toch al waren veel
		meer doen toen moet ben zonder kan hun dus alles onder ja eens hier wie werd altijd doch wordt
		wezen kunnen ons zelf tegen na reeds wil kon niets uw iemand geweest
		jullie jij jou jouw we wij mijn onze ik hallo hoi hey beste goedemorgen goedemiddag goedenavond
		graag alstublieft alsjeblieft aub bedankt dank dankjewel dankuwel oke nee wilt willen zouden
		kun kunt mag mogen moeten weten weet vraag vraagje even eigenlijk nou welke welk
		hoeveel krijg krijgt krijgen gewoon hulp
		vandaag gisteren nu alweer straks weer nooit soms binnen buiten gaan gaat ging gegaan
		komen komt kwam gekomen doe doet deed gedaan zetten zet geven geeft
		nemen neem zien kijken vinden vind goed slecht mogelijk onmogelijk manier ding dingen
		beetje twee drie vier vijf zes zeven acht negen tien misschien precies zeker nodig
		probleem
		mn niks helemaal tussen twijfel twijfelen gehoord blijft blijven online website site webshop
		wacht wachten steeds zie`,
	langFR: `au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me
		meme mes moi mon nos notre nous on par pour qu que qui sa se ses son sur ta te tes toi
		ton tu un une vos votre vous c d j l a m n s t y ete etee etees etes etant suis es est sommes
		sont serai seras sera serons serez seront serais serait serions seriez seraient etais etait
		etions etiez etaient fus fut fumes futes furent sois soit soyons soyez soient fusse fusses
		fussions fussiez fussent ayant eu eue eues eus ai as avons avez ont aurai auras aura aurons
		aurez auront aurais aurait aurions auriez auraient avais avait avions aviez avaient eut eumes
		eutes eurent aie aies ait ayons ayez aient eusse eusses eut eussions eussiez eussent ceci cela
		celà cet cette ici ils les leurs quel quels quelle quelles sans soi
		bonjour bonsoir salut coucou madame monsieur merci svp stp plait oui non veux veut voudrais
		voudrait voulons voulez peux peut pouvons pouvez pourriez pourrais puis savoir sais sait sûr dire
		question
		aide comment combien pourquoi ca faire fais fait est-ce estce
		aujourd hui demain hier maintenant deja encore bientot toujours jamais parfois aller vais
		va vont allez venir viens vient mettre met prendre prend donner donne voir regarder
		trouver trouve bonne bien possible impossible facon chose choses peu deux trois quatre
		cinq six sept huit neuf dix peut-etre vraiment exactement besoin faut probleme
		site internet web ligne souhaite souhaiterais souhaitons souhaitez aimerais trop attends
		attendre attend`,
	langDE: `aber alle allem allen aller alles als also am an auch auf aus bei bin bis bist da damit dann der den des dem die das
		dass daß derselbe derselben denselben desselben demselben dieselbe dieselben dasselbe dazu dein
		deine deinem deinen deiner deines denn derer dessen dich dir du dies diese diesem diesen dieser
		dieses doch dort durch ein eine einem einen einer eines einig einige einigem einigen einiger
		einiges einmal er ihn ihm es etwas euer eure eurem euren eurer eures fur für gegen gewesen hab
		habe haben hat hatte hatten hier hin hinter ich mich mir ihr ihre ihrem ihren ihrer ihres euch
		im in indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener jenes jetzt kann
		keinem keines können könnte machen man manche manchem manchen mancher
		manches mein meine meinem meinen meiner meines mit muss musste nach nichts noch nun nur ob
		oder ohne sehr sein seine seinem seinen seiner seines selbst sich sie ihnen sind so solche
		solchem solchen solcher solches soll sollte sondern sonst über um und uns unsere unserem
		unseren unser unseres unter viel vom von vor während war waren warst was weg weil weiter welche
		welchem welchen welcher welches wenn werde werden wie wieder will wir wird wirst wollen wollte
		würde würden zu zum zur zwar zwischen
		hallo guten servus moin bitte danke dankeschön ja nein möchte möchten könnten müssen darf
		dürfen wissen weiß weißt sicher frage hilfe warum wieviel wieviele viele vielen gibt gib mal
		eigentlich
		heute gestern jetzt schon bereits bald immer nie manchmal gehen geht ging gegangen
		kommen kommt kam gekommen tun tut nehmen nehme sehen schauen finden finde gut schlecht
		möglich unmöglich weise sache ding bisschen zwei drei vier fünf sechs sieben acht neun
		zehn vielleicht wirklich genau brauchen brauche problem
		ab mehr habt hast komme kommst rein bleibt bleiben online webseite website seite gern gerne
		warte warten wartet könnt sehe`,
	langES: `de la que el en y a los del se las por un para con una su al lo como mas más pero sus le ya o
		este si sí porque esta entre muy sin sobre tambien también me hasta hay quien desde
		todo nos durante todos uno les ni contra ese eso ante ellos e esto mi antes algunos que
		unos yo el él tanto esa estos mucho quienes nada muchos cual poco ella estar
		estas algunas algo nosotros mi mis tu te ti tu tus ellas nosotras vosotros vosotras os mio mia
		mios mias tuyo tuya tuyos tuyas suyo suya suyos suyas nuestro nuestra nuestros nuestras vuestro
		vuestra vuestros vuestras esos esas estoy estas esta estamos estais estan este estes estemos
		esteis esten estare estaras estara estaremos estareis estaran estaria estarias estariamos
		estariais estarian estaba estabas estabamos estabais estaban estuve estuviste estuvo estuvimos
		estuvisteis estuvieron he has ha hemos habeis han haya hayas hayamos hayais hayan habre habras
		habra habremos habreis habran habria habrias habriamos habriais habrian habia habias habiamos
		habiais habian hube hubiste hubo hubimos hubisteis hubieron soy eres es somos sois son sea seas
		seamos seais sean sere seras sera seremos sereis seran seria serias seriamos seriais serian era
		eras eramos erais eran fui fuiste fue fuimos fuisteis fueron tengo tienes tiene tenemos teneis
		tienen tenga tengas tengamos tengais tengan tendre tendras tendra tendremos tendreis tendran
		tendria tendrias tendriamos tendriais tendrian tenia tenias teniamos teniais tenian tuve
		tuviste tuvo tuvimos tuvisteis tuvieron
		hola buenas buenos gracias favor ok vale quiero quiere quisiera querria puedo puede pueden
		podria podrian podeis saber sabe sé seguro segura pregunta ayuda cuanto cuanta cuantos cuantas
		cuales necesito
		hacer hacen hago hace usted ustedes
		hoy ayer ahora todavia pronto siempre nunca aveces ir voy va van venir viene poner pongo
		tomar dar doy ver mirar encontrar encuentro bien bueno buena posible imposible manera
		cosa cosas poco dos tres cuatro cinco seis siete ocho nueve diez quizas realmente
		exactamente necesitar consigo conseguir problema
		online web pagina sitio internet deseo desearia gustaria demasiado sigo esperando esperar veo`,
}

// stopwords holds every list above, normalised the same way as visitor text.
var stopwords = func() map[string]bool {
	set := make(map[string]bool, 1200)
	for _, list := range stopwordLists {
		for _, w := range strings.Fields(list) {
			for _, n := range words(w) {
				set[n] = true
			}
		}
	}
	return set
}()

// hedges are the words of "I don't know", "not sure" and their like in the five languages
// (normalised, and stop words themselves).
// Spanish "sé" is left out: typed without its accent it is the "se" of "no se ha realizado".
var hedges = wordSet(`know sure certain weet weten zeker sais sait savoir sur weiss weisst wissen
	sicher sabe saber seguro segura`)

// negations are the negation words of the concept "not".
var negations = wordSet(`not no cannot cant didn doesn don isn wasn hasn haven won wont aren couldn
	niet geen pas ne nicht kein keine keinen keiner`)

// wordSet returns the normalised words of list.
func wordSet(list string) map[string]bool {
	set := map[string]bool{}
	for _, w := range words(list) {
		set[w] = true
	}
	return set
}
