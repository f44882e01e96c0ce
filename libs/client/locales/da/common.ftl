# Shared by the CLI and the cockpit. Figures arrive formatted the Danish way.
language-name = dansk
amount-kr = { $amount } kr.

## A failed call, in words (the service's own message follows as it wrote it)
error-prefix = fejl: { $error }
error-unavailable = tjenesten kan ikke nås ({ $message })
error-unauthenticated = { $message } — angiv --token eller sæt AFREGNING_TOKEN
error-permission-denied = adgang nægtet: dit tokens rolle må ikke dette
error-invalid-argument = ugyldigt input: { $message }
error-not-found = findes ikke: { $message }
error-failed-precondition = kan ikke lade sig gøre nu: { $message }
error-already-exists = findes allerede: { $message }
error-resource-exhausted = for stort: { $message }
error-other = { $code }: { $message }

## Starting
cockpit-listening = cockpit på { $url }
up-listening = lytter på { $addr } ({ $backend })
up-cockpit = på { $url }
up-stop = Ctrl-C stopper dem alle.

## Units, as the catalog names them (a code without a name here is shown as it is)
unit-personal_care = personlig pleje
unit-practical_help = praktisk hjælp
unit-nursing = sygepleje
unit-training = træning
unit-personal_care_package = pakke: personlig pleje
unit-course-DEVELOPING = udviklende forløb
unit-course-MAINTAINING = fastholdende forløb
unit-course-INDIVIDUAL = individuelt forløb
unit-course-level = { $course }, niveau { $level }
review-outcome-open = ikke gennemgået
review-outcome-no-action = ingen handling
review-outcome-revisit = revisitation
review-outcome-provider-contacted = leverandør kontaktet
review-outcome-recovery = tilbagebetaling
review-reason-over = mere leveret end visiteret
review-reason-under = mindre leveret end visiteret
review-reason-highest = højeste beløb
review-reason-sample = stikprøve
review-reason-unknown = ukendt
