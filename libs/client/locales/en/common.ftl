# Shared by the CLI and the cockpit. Figures arrive formatted the Danish way.
language-name = English
amount-kr = DKK { $amount }

## A failed call, in words (the service's own message follows as it wrote it)
error-prefix = error: { $error }
error-unavailable = the service is not reachable ({ $message })
error-unauthenticated = { $message } — pass --token or set AFREGNING_TOKEN
error-permission-denied = permission denied: your token's principal may not do this
error-invalid-argument = invalid argument: { $message }
error-not-found = not found: { $message }
error-failed-precondition = not possible now: { $message }
error-already-exists = already exists: { $message }
error-resource-exhausted = too large: { $message }
error-other = { $code }: { $message }

## Starting
cockpit-listening = cockpit on { $url }
up-listening = listening on { $addr } ({ $backend })
up-cockpit = on { $url }
up-stop = Ctrl-C stops them all.

## Units, as the catalog names them (a code without a name here is shown as it is)
unit-personal_care = personal care
unit-practical_help = practical help
unit-nursing = nursing
unit-training = training
unit-personal_care_package = package: personal care
unit-course-DEVELOPING = developing course
unit-course-MAINTAINING = maintaining course
unit-course-INDIVIDUAL = individual course
unit-course-level = { $course }, level { $level }
review-outcome-open = not reviewed
review-outcome-no-action = no action
review-outcome-revisit = revisit
review-outcome-provider-contacted = provider contacted
review-outcome-recovery = recovery
review-reason-over = delivered more than visited
review-reason-under = delivered less than visited
review-reason-highest = highest amount
review-reason-sample = random sample
review-reason-unknown = unknown
