-- One database per service: each owns its data (docs/design.md, "Services and the flow of data").
CREATE DATABASE visitation OWNER afregning;
CREATE DATABASE settlement OWNER afregning;
CREATE DATABASE budget OWNER afregning;
