# Shared by the CLI and the cockpit. Figures arrive formatted the Danish way.
language-name = dansk
amount-kr = { $amount } kr.
